import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { isConditionFailure, names, S, str } from '@serverless-jobs/runtime/adapters';
import { completionUpdate } from '@serverless-jobs/runtime/adapters';
import {
  type FulfilmentStore,
  type MarkProcessedResult,
  type MoveResult,
  type OrderStore,
  OrderStatus,
} from '#shared/domain/order';
import { LeaseLostError, type RunCompletion } from '@serverless-jobs/runtime/runtime';

export class DynamoDbOrderStore implements OrderStore, FulfilmentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: { readonly orders: string; readonly ledger: string },
  ) {}

  async get(orderId: string): Promise<unknown> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tables.orders, Key: { orderId: S(orderId) }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async markProcessed(orderId: string, processedAt: Date, completion: RunCompletion): Promise<MarkProcessedResult> {
    const at = processedAt.toISOString();
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.orders,
                Key: { orderId: S(orderId) },
                ConditionExpression: '#status = :pending',
                UpdateExpression: 'SET #status = :processed, #processedAt = :at, #processedDay = :day',
                ExpressionAttributeNames: names('status', 'processedAt', 'processedDay'),
                ExpressionAttributeValues: {
                  ':pending': S(OrderStatus.PENDING),
                  ':processed': S(OrderStatus.PROCESSED),
                  ':at': S(at),
                  ':day': S(at.slice(0, 10)),
                },
              },
            },
            { Update: completionUpdate(this.tables.ledger, completion) },
          ],
        }),
      );
      return 'processed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [order, run] = error.CancellationReasons ?? [];
      if (run?.Code === 'ConditionalCheckFailed') throw new LeaseLostError(completion.key);
      if (order?.Code === 'ConditionalCheckFailed') return 'not-pending';
      throw error;
    }
  }

  async move(
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    at: Date,
    fields: Readonly<Record<string, string>> = {},
  ): Promise<MoveResult> {
    const stamp = `${to.toLowerCase()}At`;
    const extra = Object.keys(fields);
    const sets = extra.map((name, i) => `, #${name} = :f${i}`).join('');
    const values: Record<string, AttributeValue> = { ':from': S(from), ':to': S(to), ':at': S(at.toISOString()) };
    for (const [index, name] of extra.entries()) values[`:f${index}`] = S(fields[name]!);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.orders,
          Key: { orderId: S(orderId) },
          ConditionExpression: '#status = :from',
          UpdateExpression: `SET #status = :to, #${stamp} = :at${sets}`,
          ExpressionAttributeNames: names('status', stamp, ...extra),
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { moved: true, already: false };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const status = str((error as { Item?: Record<string, AttributeValue> }).Item, 'status');
      return status === to ? { moved: true, already: true } : { moved: false, status };
    }
  }
}
