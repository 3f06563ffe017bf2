import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, names, num, S, str, iso } from './attribute-values.ts';
import { fencedUpdate } from './dynamodb-run-ledger.ts';
import { runKey } from './ledger-keys.ts';
import type { DurableRuns, DurableAdoption, PendingCallback } from '../durable/durable-runs.ts';
import { type RunKey, type RunProgress, RunStatus } from '../runtime/run-ledger.ts';

/**
 * A durable job's run in the ledger. The starter claims it as any run is claimed, then hands it over to the
 * execution: from then on the execution's name, not the fence, says who owns it, because a second start of the
 * same name is the same execution (Lambda's execution names are idempotent) while a re-claim bumps the fence.
 */
export class DynamoDbDurableRuns implements DurableRuns {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async handOver(
    key: RunKey,
    fence: number,
    to: { readonly now: number; readonly leaseExpiresAt: number; readonly name: string; readonly arn?: string },
  ): Promise<boolean> {
    const arn: Record<string, AttributeValue> = to.arn === undefined ? {} : { ':arn': S(to.arn) };
    return this.write({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#fence = :fence AND #status = :running',
      UpdateExpression: `SET #execution = :name, #leaseExpiresAt = :lease, #updatedAt = :at${
        to.arn === undefined ? '' : ', #executionArn = :arn'
      }`,
      ExpressionAttributeNames: names(
        'fence',
        'status',
        'execution',
        'leaseExpiresAt',
        'updatedAt',
        ...(to.arn === undefined ? [] : ['executionArn']),
      ),
      ExpressionAttributeValues: {
        ':fence': N(fence),
        ':running': S(RunStatus.RUNNING),
        ':name': S(to.name),
        ':lease': N(to.leaseExpiresAt),
        ':at': S(iso(to.now)),
        ...arn,
      },
    });
  }

  async adopt(key: RunKey, name: string, at: { readonly now: number; readonly leaseExpiresAt: number }) {
    try {
      const { Attributes: item } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: runKey(key),
          ConditionExpression: '#status = :running AND (attribute_not_exists(#execution) OR #execution = :name)',
          UpdateExpression: 'SET #execution = :name, #leaseExpiresAt = :lease, #updatedAt = :at',
          ExpressionAttributeNames: names('status', 'execution', 'leaseExpiresAt', 'updatedAt'),
          ExpressionAttributeValues: {
            ':running': S(RunStatus.RUNNING),
            ':name': S(name),
            ':lease': N(at.leaseExpiresAt),
            ':at': S(iso(at.now)),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const startedAt = Date.parse(str(item, 'startedAt') ?? '');
      return {
        adopted: true,
        attempt: num(item, 'attempt') ?? 1,
        fence: num(item, 'fence') ?? 1,
        startedAt: Number.isNaN(startedAt) ? at.now : startedAt,
      } satisfies DurableAdoption;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { adopted: false, status: str(old, 'status') as RunStatus | undefined } satisfies DurableAdoption;
    }
  }

  holds(key: RunKey, name: string, now: number): Promise<boolean> {
    return this.whileOwned(key, name, 'SET #updatedAt = :value', 'updatedAt', S(iso(now)));
  }

  callback(key: RunKey, name: string, callback: PendingCallback | undefined): Promise<boolean> {
    if (callback === undefined) return this.whileOwned(key, name, 'REMOVE #callback', 'callback');
    return this.whileOwned(key, name, 'SET #callback = :value', 'callback', {
      M: { name: S(callback.name), id: S(callback.id), since: S(iso(callback.since)) },
    });
  }

  progress(key: RunKey, name: string, progress: RunProgress): Promise<boolean> {
    const note: Record<string, AttributeValue> = progress.note === undefined ? {} : { note: S(progress.note) };
    return this.whileOwned(key, name, 'SET #progress = :value', 'progress', {
      M: { done: N(progress.done), total: N(progress.total), at: S(iso(progress.at)), ...note },
    });
  }

  succeed(key: RunKey, name: string, at: { readonly finishedAt: number; readonly durationMs: number }) {
    return this.write({
      ...this.owned(key, name),
      UpdateExpression:
        'SET #status = :succeeded, #finishedAt = :at, #updatedAt = :at, #durationMs = :duration ' +
        'REMOVE #leaseExpiresAt, #callback',
      ExpressionAttributeNames: names(
        'status',
        'execution',
        'finishedAt',
        'updatedAt',
        'durationMs',
        'leaseExpiresAt',
        'callback',
      ),
      ExpressionAttributeValues: {
        ...this.owned(key, name).ExpressionAttributeValues,
        ':succeeded': S(RunStatus.SUCCEEDED),
        ':at': S(iso(at.finishedAt)),
        ':duration': N(at.durationMs),
      },
    });
  }

  /** DEAD with `deadFence`, so a redrive of the DLQ copy that carries it may claim the run again. */
  kill(key: RunKey, name: string, fence: number, failure: { readonly now: number; readonly error: string }) {
    const entry = { M: { fence: N(fence), at: S(iso(failure.now)), error: S(failure.error.slice(0, 1000)) } };
    return this.write({
      ...this.owned(key, name),
      UpdateExpression:
        'SET #status = :dead, #deadFence = :fence, #finishedAt = :at, #updatedAt = :at, #lastError = :error, ' +
        '#errors = list_append(if_not_exists(#errors, :empty), :entry) REMOVE #leaseExpiresAt, #callback',
      ExpressionAttributeNames: names(
        'status',
        'execution',
        'deadFence',
        'finishedAt',
        'updatedAt',
        'lastError',
        'errors',
        'leaseExpiresAt',
        'callback',
      ),
      ExpressionAttributeValues: {
        ...this.owned(key, name).ExpressionAttributeValues,
        ':dead': S(RunStatus.DEAD),
        ':fence': N(fence),
        ':at': S(iso(failure.now)),
        ':error': S(failure.error.slice(0, 4000)),
        ':entry': { L: [entry] },
        ':empty': { L: [] },
      },
    });
  }

  async status(key: RunKey): Promise<RunStatus | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: runKey(key),
        ConsistentRead: true,
        ProjectionExpression: '#status',
        ExpressionAttributeNames: names('status'),
      }),
    );
    return str(Item, 'status') as RunStatus | undefined;
  }

  private owned(key: RunKey, name: string) {
    return {
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#status = :running AND #execution = :name',
      ExpressionAttributeValues: { ':running': S(RunStatus.RUNNING), ':name': S(name) } as Record<
        string,
        AttributeValue
      >,
    };
  }

  private whileOwned(
    key: RunKey,
    name: string,
    update: string,
    attribute: string,
    value?: AttributeValue,
  ): Promise<boolean> {
    const base = this.owned(key, name);
    return this.write({
      ...base,
      UpdateExpression: update,
      ExpressionAttributeNames: names('status', 'execution', attribute),
      ExpressionAttributeValues:
        value === undefined ? base.ExpressionAttributeValues : { ...base.ExpressionAttributeValues, ':value': value },
    });
  }

  /** False when the run is no longer this execution's; RunCancelledError when an operator cancelled it. */
  private write(update: UpdateItemCommandInput): Promise<boolean> {
    return fencedUpdate(this.client, update);
  }
}
