import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { S } from './attribute-values.ts';
import { jobPartitions } from '../contracts/ledger-table.ts';

/** How to read a job's runs from the ledger; names and values are those the expressions use. */
export interface JobRunsQuery {
  /** A condition on the job ID, the sort key `#sk`: `begins_with(#sk, :prefix)`. */
  readonly idCondition?: string;
  /** Applied by DynamoDB after the read: `#status IN (:s0)`. */
  readonly filter?: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, AttributeValue>;
  /** Attributes to return; all when absent. */
  readonly projection?: readonly string[];
  /** Job IDs from the last one down. @default false */
  readonly descending?: boolean;
  /** Items read per request. @default DynamoDB's 1 MB pages */
  readonly pageSize?: number;
}

/** The items of one ledger partition (`<job>#<shard>`), page by page, in job-ID order. */
export async function* partitionItems(
  client: DynamoDBClient,
  tableName: string,
  partition: string,
  query: JobRunsQuery = {},
): AsyncIterable<Record<string, AttributeValue>> {
  const projection = query.projection ?? [];
  const names: Record<string, string> = { '#pk': 'pk', ...query.names };
  if (query.idCondition !== undefined) names['#sk'] = 'sk';
  for (const attribute of projection) names[`#${attribute}`] = attribute;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: `#pk = :pk${query.idCondition === undefined ? '' : ` AND ${query.idCondition}`}`,
        FilterExpression: query.filter,
        ProjectionExpression: projection.length > 0 ? projection.map((name) => `#${name}`).join(', ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':pk': S(partition), ...query.values },
        ScanIndexForward: !query.descending,
        Limit: query.pageSize,
        ExclusiveStartKey: start,
      }),
    );
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/**
 * Every run of a job in the ledger, one partition after another: a job's runs are in its eight partitions, in
 * job-ID order within each. A reader that wants them by time sorts what it read.
 */
export async function* jobRunItems(
  client: DynamoDBClient,
  tableName: string,
  job: string,
  query: JobRunsQuery = {},
): AsyncIterable<Record<string, AttributeValue>> {
  for (const partition of jobPartitions(job)) yield* partitionItems(client, tableName, partition, query);
}
