import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { cancelRun, fromItem } from '@serverless-jobs/runtime/adapters';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { S } from '@serverless-jobs/runtime/adapters';
import { type JobRunsQuery, partitionItems, runKey } from '@serverless-jobs/runtime/adapters';
import { jobPartitions, ledgerTable } from '@serverless-jobs/runtime/contracts';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import type { RunsQuery, RunView } from './ops-types.ts';

/** Runs listed when no limit is given. */
export const DEFAULT_RUNS_LIMIT = 20;
const STATUSES = new Set<string>(Object.values(RunStatus));

export const isRunStatus = (value: string): value is RunStatus => STATUSES.has(value);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** The progress a job reported, if it is well formed. */
function progressOf(value: unknown): RunView['progress'] {
  if (value === null || typeof value !== 'object') return undefined;
  const { done, total, note, at } = value as Record<string, unknown>;
  if (typeof done !== 'number' || typeof total !== 'number') return undefined;
  return { done, total, note: text(note), at: text(at) ?? '' };
}

/** What a durable run waits for, in the reason column: `waiting for callback "payment" since …`. */
function waitingFor(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { name, since } = value as Record<string, unknown>;
  if (typeof name !== 'string') return undefined;
  // To the second, as every time of the runs table: the line must fit its column, which cut the hint off.
  const at = typeof since === 'string' ? ` since ${since.replace(/\.\d{3}Z$/, 'Z')}` : '';
  return `waiting for callback "${name}"${at} (jobs-cli callback)`;
}

/** A ledger item as the operator sees it; the lease, fences and TTL stay out. */
export function toRunView(item: Record<string, AttributeValue>): RunView {
  const plain = fromItem(item);
  const status = text(plain.status) ?? '';
  return {
    job: text(plain.job) ?? '',
    id: text(plain.id) ?? '',
    status: isRunStatus(status) ? status : RunStatus.RUNNING,
    attempt: count(plain.attempt) ?? 0,
    createdAt: text(plain.createdAt) ?? '',
    startedAt: text(plain.startedAt),
    finishedAt: text(plain.finishedAt),
    durationMs: count(plain.durationMs),
    lastError: text(plain.lastError),
    reason: text(plain.reason),
    waitingFor: waitingFor(plain.callback),
    callbackId: text((plain.callback as Record<string, unknown> | undefined)?.id),
    schedule: text(plain.schedule),
    occurrence: text(plain.occurrence),
    traceId: text(plain.traceId),
    progress: progressOf(plain.progress),
  };
}

/**
 * A job's runs, newest first. The ledger keeps a job's runs in its partitions in job-ID order, with no index by
 * time, so every run of the job within the ledger's retention is read (the status and `since` filters applied by
 * DynamoDB) and sorted here.
 */
export async function queryRuns(
  client: DynamoDBClient,
  tableName: string,
  job: string,
  query: RunsQuery = {},
): Promise<RunView[]> {
  const limit = query.limit ?? DEFAULT_RUNS_LIMIT;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const filters: string[] = [];
  if (query.since !== undefined) {
    filters.push('#createdAt >= :since');
    names['#createdAt'] = 'createdAt';
    values[':since'] = S(query.since);
  }
  const statuses = query.statuses ?? [];
  if (statuses.length > 0) {
    names['#status'] = 'status';
    statuses.forEach((status, i) => (values[`:s${i}`] = S(status)));
    filters.push(`#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`);
  }
  const filter = filters.length > 0 ? filters.join(' AND ') : undefined;
  // The newest `limit` so far: a long history is read through, but never held whole.
  let runs: RunView[] = [];
  await forEachRun(client, tableName, job, { filter, names, values }, (run) => {
    runs.push(run);
    if (runs.length >= 4 * limit + 100) runs = runs.sort(newestFirst).slice(0, limit);
  });
  return runs.sort(newestFirst).slice(0, limit);
}

/** Every run of the job that the query lets through, its eight partitions read at once. */
export async function forEachRun(
  client: DynamoDBClient,
  tableName: string,
  job: string,
  query: JobRunsQuery,
  visit: (run: RunView) => void,
): Promise<void> {
  await Promise.all(
    jobPartitions(job).map(async (partition) => {
      for await (const item of partitionItems(client, tableName, partition, query)) visit(toRunView(item));
    }),
  );
}

const newestFirst = (a: RunView, b: RunView): number =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/** Whether the ledger holds a run with this job ID, in any status. */
export async function hasRun(client: DynamoDBClient, tableName: string, job: string, id: string): Promise<boolean> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: runKey({ job, id }),
      ProjectionExpression: '#pk',
      ExpressionAttributeNames: { '#pk': ledgerTable.partitionKey },
    }),
  );
  return Item !== undefined;
}

/** Cancels one of the job's runs, kept for the job's ledger retention if the cancel creates it (see cancelRun). */
export const cancelJobRun = (
  client: DynamoDBClient,
  table: string,
  job: JobDeclaration,
  id: string,
  now = Date.now(),
) => cancelRun(client, table, { job: job.name, id }, now, job.ledgerRetentionDays);
