import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { names, S, str } from '@serverless-jobs/runtime/adapters';
import { type BatchWrite, batchDelete, type BatchDeleteOptions } from '@serverless-jobs/runtime/adapters';
import type { CleanupStore, ExpiredItems, ExpiredPage, ExpiredPageQuery, PageKey } from '#shared/cleanup/cleanup-store';
import { domainTables } from '#shared/domain/tables';

export interface CleanupTableNames {
  readonly auditLog: string;
  readonly customers: string;
}

/** How one sharded, time-ordered key range maps onto a table or index. */
interface ExpiryRange {
  readonly table: string;
  readonly index?: string;
  readonly shardAttribute: string;
  readonly timeAttribute: string;
  /** The attribute `page` returns as the ID. */
  readonly idAttribute: string;
  readonly keyOf: (shard: string, id: string) => Record<string, AttributeValue>;
}

function toAttributes(key: PageKey): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, S(value)]));
}

function fromAttributes(key: Record<string, AttributeValue> | undefined): PageKey | undefined {
  if (!key) return undefined;
  // Every key attribute of these tables is a string (see shared/domain/tables.ts).
  return Object.fromEntries(Object.keys(key).map((name) => [name, str(key, name) ?? '']));
}

class DynamoDbExpiredItems implements ExpiredItems {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly range: ExpiryRange,
    private readonly deleteOptions: BatchDeleteOptions,
  ) {}

  async page(query: ExpiredPageQuery): Promise<ExpiredPage> {
    const { range } = this;
    const output = await this.client.send(
      new QueryCommand({
        TableName: range.table,
        IndexName: range.index,
        KeyConditionExpression: `#${range.shardAttribute} = :shard AND #${range.timeAttribute} < :cutoff`,
        ProjectionExpression: `#${range.idAttribute}`,
        ExpressionAttributeNames: names(range.shardAttribute, range.timeAttribute, range.idAttribute),
        ExpressionAttributeValues: { ':shard': S(query.shard), ':cutoff': S(query.cutoff) },
        Limit: query.limit,
        ExclusiveStartKey: query.startKey ? toAttributes(query.startKey) : undefined,
      }),
    );
    const ids = (output.Items ?? [])
      .map((item) => str(item, range.idAttribute))
      .filter((id): id is string => id !== undefined);
    return { ids, lastKey: fromAttributes(output.LastEvaluatedKey) };
  }

  delete(shard: string, ids: readonly string[]): Promise<void> {
    const write: BatchWrite = async (requests) =>
      (await this.client.send(new BatchWriteItemCommand({ RequestItems: requests }))).UnprocessedItems;
    return batchDelete(
      write,
      this.range.table,
      ids.map((id) => this.range.keyOf(shard, id)),
      this.deleteOptions,
    );
  }
}

const audit = domainTables.auditLog;
const customers = domainTables.customers;
const byDeletedAt = customers.indexes[0];

/**
 * The cleanup's view of DynamoDB: audit entries are a key range of the base table per shard;
 * soft-deleted customers are a key range of the sparse `byDeletedAt` index, deleted on the base table.
 */
export class DynamoDbCleanupStore implements CleanupStore {
  readonly auditLog: ExpiredItems;
  readonly customers: ExpiredItems;

  constructor(client: DynamoDBClient, tables: CleanupTableNames, deleteOptions: BatchDeleteOptions = {}) {
    this.auditLog = new DynamoDbExpiredItems(
      client,
      {
        table: tables.auditLog,
        shardAttribute: audit.partitionKey,
        timeAttribute: audit.sortKey,
        idAttribute: audit.sortKey,
        keyOf: (shard, id) => ({ [audit.partitionKey]: S(shard), [audit.sortKey]: S(id) }),
      },
      deleteOptions,
    );
    this.customers = new DynamoDbExpiredItems(
      client,
      {
        table: tables.customers,
        index: byDeletedAt.name,
        shardAttribute: byDeletedAt.partitionKey,
        timeAttribute: byDeletedAt.sortKey,
        idAttribute: customers.partitionKey,
        keyOf: (_shard, id) => ({ [customers.partitionKey]: S(id) }),
      },
      deleteOptions,
    );
  }
}
