import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, runKey, singletonKey, str } from '@serverless-jobs/runtime/adapters';
import { chunk } from '@serverless-jobs/runtime/runtime';

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

/** Segments of the old ledger scanned at once, and conditional puts in flight per segment. */
const SEGMENTS = 4;
const PUTS_AT_ONCE = 25;

/**
 * A schedule's state in the old ledger replaces one the watchdog wrote since the deploy: the old one holds the
 * pauses and the live changes of `jobs-cli schedule`, which a fresh state has lost. Runs and leases written since
 * the deploy are newer than the old ones, so they stay.
 */
const replacesNewer = (key: Record<string, AttributeValue>): boolean => key.pk?.S?.startsWith('#schedule/') === true;

/**
 * Copies every item of the old ledger into the new one, each under its new key and with its attributes, TTL
 * included, so that a job ID that ran before the move is still a duplicate after it. Safe to run again: a second
 * run copies no run or lease. Reads the old table in parallel segments (a Scan: an operator's one-off, no role's).
 */
export async function importLedger(client: DynamoDBClient, from: string, to: string): Promise<LedgerImportAnswer> {
  let copied = 0;
  let present = 0;
  const skipped: string[] = [];
  const copy = async (item: Record<string, AttributeValue>): Promise<void> => {
    const key = importedKey(item);
    if (!key) {
      skipped.push(str(item, 'pk') ?? JSON.stringify(item).slice(0, 80));
      return;
    }
    try {
      await client.send(
        new PutItemCommand({
          TableName: to,
          Item: { ...item, ...key },
          ConditionExpression: replacesNewer(key) ? undefined : 'attribute_not_exists(pk)',
        }),
      );
      copied++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      present++;
    }
  };
  const segment = async (index: number): Promise<void> => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page: ScanCommandOutput = await client.send(
        new ScanCommand({
          TableName: from,
          Segment: index,
          TotalSegments: SEGMENTS,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const items of chunk(page.Items ?? [], PUTS_AT_ONCE)) await Promise.all(items.map(copy));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  };
  await Promise.all(Array.from({ length: SEGMENTS }, (_, index) => segment(index)));
  return { from, to, copied, present, skipped: skipped.sort() };
}
