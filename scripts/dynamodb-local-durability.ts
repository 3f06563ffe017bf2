/**
 * `npm run durability:dynamodb-local`: does DynamoDB Local keep what it acknowledged when it is killed (SIGKILL)?
 * Writes items, 16 at a time, into a table on disk; kills DynamoDB Local while the writes go on; waits for the
 * supervised restart on the same folder; then reads back every item whose PutItem was acknowledged. Prints how many
 * acknowledged writes are missing, and how long before the kill the missing ones were acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '@serverless-jobs/local/runner';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'kill-after-ms': { type: 'string', default: '4000' },
    /** `put`: one PutItem per write; `transact`: a TransactWriteItems of two updates, as a run's completion is. */
    op: { type: 'string', default: 'transact' },
  },
});
if (args.op !== 'put' && args.op !== 'transact') throw new Error(`--op must be put or transact (given ${args.op})`);

const write = (client: DynamoDBClient, pk: string) =>
  args.op === 'put'
    ? client.send(new PutItemCommand({ TableName: 'Durability', Item: { pk: { S: pk } } }))
    : client.send(
        new TransactWriteItemsCommand({
          TransactItems: ['Durability', 'Effects'].map((TableName) => ({
            Update: {
              TableName,
              Key: { pk: { S: pk } },
              UpdateExpression: 'ADD #n :one',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          })),
        }),
      );

async function round(n: number): Promise<{ acked: number; missing: number[] }> {
  const dbPath = mkdtempSync(join(tmpdir(), 'sj-durability-'));
  let restarted: () => void = () => {};
  const back = new Promise<void>((resolve) => (restarted = resolve));
  const dynamodb = await startDynamoDbLocal({ dbPath, onRestart: () => restarted() });
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    for (const TableName of ['Durability', 'Effects'])
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
    const acked = new Map<string, number>();
    let next = 0;
    let killedAt = 0;
    const writer = async () => {
      while (killedAt === 0) {
        const pk = `item-${next++}`;
        try {
          await write(client, pk);
          if (killedAt === 0) acked.set(pk, Date.now());
        } catch {
          return;
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    await new Promise((resolve) => setTimeout(resolve, Number(args['kill-after-ms'])));
    killedAt = Date.now();
    process.kill(dynamodb.pid, 'SIGKILL');
    await Promise.all(writers);
    await back;
    const missing: number[] = [];
    for (const [pk, at] of acked) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: 'Durability', Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      if (!Item) missing.push(killedAt - at);
    }
    console.log(
      `round ${n}: ${acked.size} writes acknowledged before the SIGKILL, ${missing.length} missing after the restart` +
        (missing.length > 0
          ? ` (acknowledged ${Math.min(...missing)}–${Math.max(...missing)} ms before the kill)`
          : ''),
    );
    return { acked: acked.size, missing };
  } finally {
    await dynamodb.stop();
    rmSync(dbPath, { recursive: true, force: true });
  }
}

let lost = 0;
for (let n = 1; n <= Number(args.rounds); n++) lost += (await round(n)).missing.length;
console.log(
  `--op ${args.op}: ` +
    (lost === 0 ? 'DynamoDB Local kept every acknowledged write' : `DynamoDB Local lost ${lost} acknowledged writes`),
);
