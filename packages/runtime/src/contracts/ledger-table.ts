import type { TableDesign } from '../jobs/table-design.ts';

/**
 * Partitions per job. A run's partition is `<job>#<n>`, n from a hash of the job ID, so one job's writes spread
 * over eight partitions (8,000 write units a second before DynamoDB splits any of them) and a listing reads eight.
 */
export const LEDGER_SHARDS = 8;

/** The sort key of an item that is alone in its partition: a schedule's lease or the watchdog's state. */
export const SINGLETON_SK = '#';

/**
 * The run ledger (job-state table): one item per run, keyed `pk` = `<job>#<shard>`, `sk` = the job ID, so a job's
 * runs are listed from the table itself. No index: an index would copy every write of every run.
 */
export const ledgerTable: TableDesign = {
  id: 'Ledger',
  envVar: 'LEDGER_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [],
  ttlAttribute: 'expiresAt',
};

/** FNV-1a, 32 bits: a stable spread of job IDs over the shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The partition of a run: `send-email#3`. */
export const runPartition = (job: string, id: string): string => `${job}#${fnv1a(id) % LEDGER_SHARDS}`;

/** Every partition that may hold a run of the job. */
export const jobPartitions = (job: string): string[] =>
  Array.from({ length: LEDGER_SHARDS }, (_, shard) => `${job}#${shard}`);
