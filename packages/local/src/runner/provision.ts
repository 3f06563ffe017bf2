import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Json } from './intrinsics.ts';
import type { LocalModel, LocalQueue, LocalTable } from './local-model.ts';

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
] as const;

/** SQS attributes from the template's queue properties; RedrivePolicy's ARN is already resolved to the local DLQ. */
export function queueAttributes(queue: LocalQueue): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    const value = queue.properties[name];
    if (value !== undefined && value !== null) attributes[name] = String(value);
  }
  const redrive = queue.properties.RedrivePolicy;
  if (redrive) attributes.RedrivePolicy = JSON.stringify(redrive);
  return attributes;
}

/** Creates the queue, or brings an existing one's attributes in line; DLQs first, so redrive targets exist. */
async function provisionQueue(client: SQSClient, queue: LocalQueue): Promise<void> {
  const attributes = queueAttributes(queue);
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queue.name }));
    await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  } catch (error) {
    if (
      (error as Error).name !== 'QueueDoesNotExist' &&
      (error as Error).name !== 'AWS.SimpleQueueService.NonExistentQueue'
    )
      throw error;
    await client.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
  }
}

function tableInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties;
  const indexes = (p.GlobalSecondaryIndexes ?? []) as unknown as GlobalSecondaryIndex[];
  return {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: p.KeySchema as unknown as KeySchemaElement[],
    AttributeDefinitions: p.AttributeDefinitions as unknown as AttributeDefinition[],
    GlobalSecondaryIndexes:
      indexes.length > 0
        ? indexes.map((index) => ({
            IndexName: index.IndexName,
            KeySchema: index.KeySchema,
            Projection: index.Projection,
          }))
        : undefined,
  };
}

const keyText = (schema: readonly KeySchemaElement[] | undefined): string =>
  (schema ?? []).map((key) => `${key.AttributeName} (${key.KeyType})`).join(', ');

/**
 * A table kept in the data dir from an earlier start must have the key the template declares: DynamoDB cannot
 * change a table's key, and every write to it would fail (the ledger's did, when it dropped its byJob index).
 */
async function assertSameKey(client: DynamoDBClient, table: LocalTable): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
  const has = keyText(Table?.KeySchema);
  const wants = keyText(tableInput(table).KeySchema);
  if (has !== wants)
    throw new Error(
      `Table ${table.name} in the data dir is keyed ${has}, but the app declares ${wants}: DynamoDB cannot change ` +
        `a table's key. Start with --reset to drop the kept tables and queues and start clean.`,
    );
}

async function provisionTable(client: DynamoDBClient, table: LocalTable, existing: ReadonlySet<string>): Promise<void> {
  if (existing.has(table.name)) await assertSameKey(client, table);
  else await client.send(new CreateTableCommand(tableInput(table)));
  const ttl = table.properties.TimeToLiveSpecification as { AttributeName?: Json; Enabled?: Json } | undefined;
  if (ttl?.Enabled && typeof ttl.AttributeName === 'string') {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
    if (TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    }
  }
}

async function listTables(client: DynamoDBClient): Promise<Set<string>> {
  const names = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) names.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

/** Creates every table and queue of the template; running it again changes nothing that is already right. */
export async function provision(
  model: LocalModel,
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient },
): Promise<void> {
  const existing = await listTables(clients.dynamodb);
  await Promise.all(model.tables.map((table) => provisionTable(clients.dynamodb, table, existing)));
  const isTarget = (queue: LocalQueue) =>
    model.queues.some((other) => JSON.stringify(other.properties.RedrivePolicy ?? '').includes(queue.arn));
  for (const queue of model.queues.filter(isTarget)) await provisionQueue(clients.sqs, queue);
  await Promise.all(
    model.queues.filter((queue) => !isTarget(queue)).map((queue) => provisionQueue(clients.sqs, queue)),
  );
}
