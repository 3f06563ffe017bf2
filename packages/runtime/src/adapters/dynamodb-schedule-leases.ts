import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, names, num, S, str } from './attribute-values.ts';
import { singletonKey } from './ledger-keys.ts';
import type { LeaseAnswer, LeaseRequest, ScheduleLeases } from '../runtime/run-ledger.ts';

/**
 * The lease item of a schedule, in the ledger table: `#lease/<job>/<schedule>`, alone in its partition. No run's
 * partition can be that one (job names start with a letter).
 */
export const leasePk = (job: string, schedule: string): string => `#lease/${job}/${schedule}`;

export class DynamoDbScheduleLeases implements ScheduleLeases {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async acquire(request: LeaseRequest): Promise<LeaseAnswer> {
    const key = singletonKey(leasePk(request.job, request.schedule));
    const values: Record<string, AttributeValue> = {
      ':me': S(request.holder),
      ':now': N(request.now),
      ':expires': N(request.expiresAt),
      ':zero': N(0),
      ':one': N(1),
      ':at': S(new Date(request.now).toISOString()),
    };
    try {
      const { Attributes: item } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          // Free (never held, released, or expired) and not promised to a buffered occurrence, or already ours.
          ConditionExpression:
            '#holder = :me OR ((attribute_not_exists(#holder) OR #leaseExpiresAt < :now) AND ' +
            '(attribute_not_exists(#buffered) OR #buffered = :me OR #bufferedUntil < :now))',
          UpdateExpression:
            'SET #holder = :me, #leaseExpiresAt = :expires, #token = if_not_exists(#token, :zero) + ' +
            ':one, #updatedAt = :at',
          ExpressionAttributeNames: names(
            'holder',
            'leaseExpiresAt',
            'token',
            'buffered',
            'bufferedUntil',
            'updatedAt',
          ),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (str(item, 'buffered') === request.holder) await this.clearBuffered(request);
      return { acquired: true, token: num(item, 'token') ?? 1 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      return {
        acquired: false,
        holder: str(old, 'holder'),
        expiresAt: num(old, 'leaseExpiresAt'),
        buffered: str(old, 'buffered'),
      };
    }
  }

  async buffer(request: LeaseRequest): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: singletonKey(leasePk(request.job, request.schedule)),
          ConditionExpression: 'attribute_not_exists(#buffered) OR #buffered = :me OR #bufferedUntil < :now',
          UpdateExpression: 'SET #buffered = :me, #bufferedUntil = :until',
          ExpressionAttributeNames: names('buffered', 'bufferedUntil'),
          ExpressionAttributeValues: {
            ':me': S(request.holder),
            ':now': N(request.now),
            ':until': N(request.expiresAt),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(request: {
    readonly job: string;
    readonly schedule: string;
    readonly holder: string;
    readonly token: number;
  }): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: singletonKey(leasePk(request.job, request.schedule)),
          ConditionExpression: '#holder = :me AND #token = :token',
          UpdateExpression: 'REMOVE #holder, #leaseExpiresAt',
          ExpressionAttributeNames: names('holder', 'token', 'leaseExpiresAt'),
          ExpressionAttributeValues: { ':me': S(request.holder), ':token': N(request.token) },
        }),
      );
    } catch (error) {
      // A newer holder took the expired lease: this release must not free it.
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async clearBuffered(request: LeaseRequest): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: singletonKey(leasePk(request.job, request.schedule)),
          ConditionExpression: '#buffered = :me',
          UpdateExpression: 'REMOVE #buffered, #bufferedUntil',
          ExpressionAttributeNames: names('buffered', 'bufferedUntil'),
          ExpressionAttributeValues: { ':me': S(request.holder) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
