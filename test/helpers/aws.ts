import { randomUUID } from 'node:crypto';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SESClient } from '@aws-sdk/client-ses';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';

/** A name no other test uses: each test gets its own tables and queues. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const dynamo = (): DynamoDBClient => new DynamoDBClient({});
export const sqs = (): SQSClient => new SQSClient({ useQueueUrlAsEndpoint: false });
export const ses = (): SESClient => new SESClient({});

/** Creates a table from its design, on demand billing, with a unique name; its indexes project `projection`. */
export async function createTable(
  design: TableDesign,
  client = dynamo(),
  projection: 'ALL' | 'KEYS_ONLY' = 'ALL',
): Promise<string> {
  const name = uniqueName(design.id);
  const keys = [
    design.partitionKey,
    design.sortKey,
    ...design.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const definitions: AttributeDefinition[] = [...new Set(keys.filter((key): key is string => key !== undefined))].map(
    (key) => ({
      AttributeName: key,
      AttributeType: 'S',
    }),
  );
  const indexes: GlobalSecondaryIndex[] = design.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: projection },
  }));
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: definitions,
      KeySchema: [
        { AttributeName: design.partitionKey, KeyType: 'HASH' },
        ...(design.sortKey ? [{ AttributeName: design.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      GlobalSecondaryIndexes: indexes.length > 0 ? indexes : undefined,
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
  return name;
}

/** A queue with a unique name; returns its URL. */
export async function createQueue(
  prefix: string,
  attributes: Record<string, string> = {},
  client = sqs(),
): Promise<string> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: uniqueName(prefix), Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error('fauxqs returned no queue URL');
  return QueueUrl;
}

export interface SesStoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
}

/** The e-mails aws-ses-v2-local received. */
export async function sesStore(): Promise<readonly SesStoredEmail[]> {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL_SES}/store`);
  return ((await response.json()) as { emails: SesStoredEmail[] }).emails;
}
