import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, runKey, singletonKey, str } from '@serverless-jobs/runtime/adapters';

/** What `jobs-cli ledger-import` did: items copied, already there (left alone), and not understood (skipped). */
export interface LedgerImportAnswer {
  readonly from: string;
  readonly to: string;
  readonly copied: number;
  readonly present: number;
  readonly skipped: readonly string[];
}

/**
 * The key an item of the old ledger (`pk` = `<job>/<job ID>`, index `byJob`) has in the new one: a run by its
 * `job` and `id` attributes, a lease or a schedule's state (`#lease/…`, `#schedule/…`) alone in its partition.
 */
export function importedKey(item: Record<string, AttributeValue>): Record<string, AttributeValue> | undefined {
  const pk = str(item, 'pk');
  if (pk === undefined) return undefined;
  if (pk.startsWith('#')) return singletonKey(pk);
  const job = str(item, 'job');
  const id = str(item, 'id');
  if (job === undefined || id === undefined || pk !== `${job}/${id}`) return undefined;
  return runKey({ job, id });
}

/**
 * Copies every item of the old ledger into the new one, each under its new key and with its attributes, TTL
 * included, so that a job ID that ran before the move is still a duplicate after it. An item the new ledger has
 * already (a run since the deploy) is left as it is. Safe to run again: a second run copies nothing.
 */
export async function importLedger(client: DynamoDBClient, from: string, to: string): Promise<LedgerImportAnswer> {
  let copied = 0;
  let present = 0;
  const skipped: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: from, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      const key = importedKey(item);
      if (!key) {
        skipped.push(str(item, 'pk') ?? JSON.stringify(item).slice(0, 80));
        continue;
      }
      try {
        await client.send(
          new PutItemCommand({
            TableName: to,
            Item: { ...item, ...key },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        copied++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        present++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { from, to, copied, present, skipped };
}
