import {
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { names, S } from '@serverless-jobs/runtime/adapters';
import { completionUpdate } from '@serverless-jobs/runtime/adapters';
import { type MarkProcessedResult, type OrderStore, OrderStatus } from '#shared/domain/order';
import { LeaseLostError, type RunCompletion } from '@serverless-jobs/runtime/runtime';

export class DynamoDbOrderStore implements OrderStore {
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
}
