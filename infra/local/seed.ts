import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AttributeValue, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, names, S, str } from '@serverless-jobs/runtime/adapters';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { domainTables } from '#shared/domain/tables';
import { type DemoItems, demoData } from '#infra/local/demo-data';
import { parseRunnerState, RUNNER_STATE_FILE } from '@serverless-jobs/runtime/contracts';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';

type Item = Record<string, AttributeValue>;

/** Per table: the demo items this seed wrote, and those it found there already and left alone. */
export interface SeedCount {
  readonly written: number;
  readonly present: number;
}
export type SeedResult = Record<keyof DemoItems, SeedCount>;

const LABELS: Record<keyof DemoItems, string> = {
  customers: 'customers',
  orders: 'orders',
  auditLog: 'audit-log entries',
};

/** Enough parallel puts to seed quickly, few enough to leave the emulator's other callers room. */
const PARALLEL_PUTS = 10;

/**
 * Writes the demo data into the tables of a running stack, each item only where none is stored under its
 * key (an audit entry: its ID). The stack may have moved an item on since an earlier seed (an order
 * processed, with its run SUCCEEDED in the ledger); overwriting it would move it back, so it stays as it is.
 */
export async function seed(endpoint: string, outputs: Record<string, string>, now = Date.now()): Promise<SeedResult> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const data = demoData(now);
    const result = {} as Record<keyof DemoItems, SeedCount>;
    for (const name of Object.keys(data) as (keyof DemoItems)[]) {
      const design = domainTables[name];
      const table = outputs[tableOutputKey(design.id)];
      if (!table) throw new Error(`The running stack has no ${design.id} table output`);
      const candidates = name === 'auditLog' ? await auditEntriesNotStored(client, table, data[name]) : data[name];
      let written = 0;
      for (const group of chunk(candidates, PARALLEL_PUTS)) {
        const puts = await Promise.all(group.map((item) => putIfAbsent(client, table, design.partitionKey, item)));
        written += puts.filter(Boolean).length;
      }
      result[name] = { written, present: data[name].length - written };
    }
    return result;
  } finally {
    client.destroy();
  }
}

/** One line for the terminal, e.g. "3 orders written, 27 already there and left as they are". */
export function describeSeed(result: SeedResult): string {
  const parts = (Object.keys(result) as (keyof DemoItems)[]).map((name) => {
    const { written, present } = result[name];
    const left = present > 0 ? `, ${present} already there and left as they are` : '';
    return `${written} ${LABELS[name]} written${left}`;
  });
  return `Seeded demo data: ${parts.join('; ')}.`;
}

/** False when an item is stored under the key already: that item may have moved on since, so it stays. */
async function putIfAbsent(client: DynamoDBClient, table: string, keyAttribute: string, item: Item): Promise<boolean> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: item,
        ConditionExpression: `attribute_not_exists(#${keyAttribute})`,
        ExpressionAttributeNames: names(keyAttribute),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const audit = domainTables.auditLog;

/** An audit entry's shard and ID: `at` is `<ISO time>#<id>`, and the time is the seed's clock. */
const auditEntryId = (item: Item): string => {
  const at = str(item, audit.sortKey) ?? '';
  return `${str(item, audit.partitionKey)}/${at.slice(at.indexOf('#') + 1)}`;
};

/**
 * The demo audit entries with no entry of the same ID stored. Their keys hold the seed's clock, so a
 * conditional put alone would add a second copy of each entry on every seed.
 */
async function auditEntriesNotStored(client: DynamoDBClient, table: string, entries: readonly Item[]): Promise<Item[]> {
  const stored = new Set<string>();
  const shards = new Set(entries.map((item) => str(item, audit.partitionKey) ?? ''));
  for (const shard of shards) {
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: `#${audit.partitionKey} = :shard`,
          ProjectionExpression: `#${audit.partitionKey}, #${audit.sortKey}`,
          ExpressionAttributeNames: names(audit.partitionKey, audit.sortKey),
          ExpressionAttributeValues: { ':shard': S(shard) },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) stored.add(auditEntryId(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return entries.filter((item) => !stored.has(auditEntryId(item)));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  // As in npm start: the SDK's notice that Node 20 support ends is for the maintainers.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stateFile = resolve(import.meta.dirname, '../../.local', RUNNER_STATE_FILE);
  let state: ReturnType<typeof parseRunnerState>;
  try {
    state = parseRunnerState(JSON.parse(readFileSync(stateFile, 'utf8')));
  } catch {
    state = undefined;
  }
  if (!state?.endpoints.dynamodb) {
    console.error(
      `No running local stack (${stateFile} is missing): start it with \`npm start\` first, or use ` +
        `\`npm start -- --seed\`.`,
    );
    process.exit(1);
  }
  seed(state.endpoints.dynamodb, state.outputs).then(
    (result) => console.log(describeSeed(result)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
