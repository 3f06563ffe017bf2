import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { domainTables } from '#shared/domain/tables';
import { demoData } from '#infra/local/demo-data';
import { parseRunnerState, RUNNER_STATE_FILE } from '@serverless-jobs/runtime/contracts';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';

/** Writes the demo data into the tables of the running `npm start` (found through .local/runner.json). */
export async function seed(
  endpoint: string,
  outputs: Record<string, string>,
  now = Date.now(),
): Promise<Record<string, number>> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const data = demoData(now);
  const written: Record<string, number> = {};
  for (const [name, items] of Object.entries(data) as [keyof typeof data, (typeof data)[keyof typeof data]][]) {
    const table = outputs[tableOutputKey(domainTables[name].id)];
    if (!table) throw new Error(`The running stack has no ${domainTables[name].id} table output`);
    for (const group of chunk(items, 25)) {
      let pending = group.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const { UnprocessedItems } = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
        );
        pending = (UnprocessedItems?.[table] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
        );
      }
    }
    written[name] = items.length;
  }
  return written;
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
    (written) =>
      console.log(
        `Seeded ${Object.entries(written)
          .map(([name, n]) => `${n} ${name}`)
          .join(', ')}.`,
      ),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
