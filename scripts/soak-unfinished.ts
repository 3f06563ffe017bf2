import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { runKey } from '@serverless-jobs/runtime/adapters';
import type { SoakResults } from './soak-results';

/** A job as the soak planned it. */
export interface PlannedJob {
  readonly id: string;
  readonly n: number;
  readonly failAttempts: number;
  readonly duplicate: boolean;
}

/**
 * The jobs that neither succeeded (with one effect) nor reached the DLQ, in two kinds. DynamoDB Local may acknowledge
 * a TransactWriteItems and lose it when killed (`npm run durability:dynamodb-local` measures it): a run whose function
 * logged "Job succeeded" (its DEBUG line, printed once the completion is acknowledged; the soak runs at DEBUG) and that
 * is back to RUNNING with no effect after the restart was forgotten by the store.
 * Any other is lost.
 */
export function unfinishedJobs(
  jobs: readonly PlannedJob[],
  results: Pick<SoakResults, 'runs' | 'effects' | 'dlq'>,
  history: readonly string[],
  emulatorFaults: boolean,
): { readonly lost: PlannedJob[]; readonly forgotten: PlannedJob[] } {
  const { runs, effects, dlq } = results;
  const acknowledged = new Set(history.flatMap((line) => /Job succeeded jobId=(\S+)/.exec(line)?.[1] ?? []));
  const forgotten = (job: PlannedJob) =>
    emulatorFaults && acknowledged.has(job.id) && runs.get(job.id) === 'RUNNING' && !effects.get(job.id);
  const unfinished = jobs.filter(
    (job) =>
      !(runs.get(job.id) === 'SUCCEEDED' && effects.get(job.id) === 1) &&
      !(runs.get(job.id) === 'DEAD' && dlq.has(job.id)),
  );
  return { lost: unfinished.filter((job) => !forgotten(job)), forgotten: unfinished.filter(forgotten) };
}

/** What is known of each lost job, to tell a lost message from a lost write. */
export function lostDetail(jobs: readonly PlannedJob[], results: SoakResults): string {
  const { runs, effects, dlq, claims } = results;
  return jobs
    .slice(0, 5)
    .map(
      (job) =>
        `${job.id}: run ${runs.get(job.id) ?? 'none'}, ${effects.get(job.id) ?? 0} effect(s), ` +
        `${dlq.has(job.id) ? 'in' : 'not in'} the DLQ, ${job.failAttempts} failing attempt(s) planned, ` +
        `${job.duplicate ? 'sent twice' : 'sent once'}, attempt ${claims.get(job.id)?.attempt ?? 0} with a lease ` +
        `until ${new Date(claims.get(job.id)?.leaseExpiresAt ?? 0).toISOString().slice(11, 23)}`,
    )
    .join('; ');
}

/** Prints each job's ledger item, read back, and every line printed about it or its messages. */
export async function printHistories(
  jobs: readonly PlannedJob[],
  options: {
    readonly dynamodb: DynamoDBClient;
    readonly ledgerTable: string;
    readonly history: readonly string[];
    readonly messageIds: ReadonlyMap<string, readonly string[]>;
  },
): Promise<void> {
  for (const job of jobs) {
    const messages = options.messageIds.get(job.id) ?? [];
    const ids = [job.id, ...messages].filter((id) => id !== '');
    const { Item } = await options.dynamodb.send(
      new GetItemCommand({
        TableName: options.ledgerTable,
        Key: runKey({ job: 'soak', id: job.id }),
        ConsistentRead: true,
      }),
    );
    console.log(`\n  ${job.id} (messages ${messages.join(', ')}): ledger item ${JSON.stringify(Item ?? null)}`);
    for (const line of options.history.filter((l) => ids.some((id) => l.includes(id)))) console.log(`    ${line}`);
  }
}
