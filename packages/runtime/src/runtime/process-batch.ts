import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { backoffSeconds } from './backoff.ts';
import { chunk } from './chunk.ts';
import { type IncomingRecord, parseMessage } from '../contracts/envelope.ts';
import type { VisibilityChange } from './job-queue.ts';
import { processRecord, type RecordOutcome } from './process-record.ts';
import { minRemainingMsOf, type RuntimeDeps } from './runtime-deps.ts';

/** Job IDs per "Batch settled" line: a batch of 10,000 records stays well under CloudWatch's 256 KB per event. */
const IDS_PER_LINE = 500;

export interface BatchSummary {
  readonly response: SQSBatchResponse;
  readonly outcomes: readonly RecordOutcome[];
}

export function toIncoming(record: SQSRecord): IncomingRecord {
  const attributes: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) attributes[name] = value.stringValue;
  return {
    messageId: record.messageId,
    body: record.body,
    sentTimestamp: record.attributes?.SentTimestamp,
    attributes,
    traceHeader: record.attributes?.AWSTraceHeader,
    messageGroupId: record.attributes?.MessageGroupId,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount) || undefined,
  };
}

/** A record's outcome, and the job ID its message was read with: what the batch's line names a run by. */
interface Settled {
  readonly outcome: RecordOutcome;
  readonly jobId?: string;
}

async function settle(deps: RuntimeDeps, record: SQSRecord): Promise<Settled> {
  if (deps.remainingMs() < minRemainingMsOf(deps)) {
    // Not started, so no attempt is spent; visible again at once for the next invocation.
    deps.metrics.count('JobHandedBack');
    return { outcome: { kind: 'retry', result: 'HANDED_BACK', visibilitySeconds: 0 } };
  }
  try {
    const incoming = toIncoming(record);
    const parsed = parseMessage(incoming, deps.job.name);
    const outcome = await processRecord(deps, incoming, parsed);
    return { outcome, jobId: parsed.ok ? parsed.message.jobId : parsed.jobId };
  } catch (error) {
    // The ledger or SQS failed around the job; no attempt is counted against it, and nothing is acknowledged.
    deps.logger.error('Record could not be processed; SQS will deliver it again', {
      messageId: record.messageId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    // The delay grows with each delivery, so an outage of the ledger outlasts SQS's maxReceiveCount safety net longer.
    const deliveries = Number(record.attributes?.ApproximateReceiveCount) || 1;
    const visibilitySeconds = backoffSeconds(deps.job.retry.backoff, deliveries, deps.random);
    return { outcome: { kind: 'retry', result: 'ERROR', visibilitySeconds } };
  }
}

/**
 * Runs a batch with at most `recordConcurrency` records at once and answers with a partial batch
 * response: only the records to retry are reported, so a failure never takes a sibling down with it.
 */
export async function processBatch(deps: RuntimeDeps, records: readonly SQSRecord[]): Promise<BatchSummary> {
  const settled: Settled[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      settled[index] = await settle(deps, records[index]!);
    }
  };
  const lanes = Math.max(1, Math.min(deps.job.recordConcurrency, records.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  const outcomes = settled.map(({ outcome }) => outcome);

  const changes: VisibilityChange[] = [];
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.kind !== 'retry') return;
    const record = records[index]!;
    batchItemFailures.push({ itemIdentifier: record.messageId });
    changes.push({ receiptHandle: record.receiptHandle, seconds: outcome.visibilitySeconds });
  });
  if (changes.length > 0) {
    try {
      await deps.queue.changeVisibility(changes);
    } catch (error) {
      // The messages still come back, after the queue's visibility timeout instead of the backoff.
      deps.logger.warn('Could not set the retry delay', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  logSettled(deps, settled);
  return { response: { batchItemFailures }, outcomes };
}

/**
 * The batch's INFO line, the only one a successful run prints at the default level: the job IDs that succeeded, and
 * how many records ended otherwise (each of those logged a line of its own, or was handed back unstarted). None when
 * nothing succeeded. Each run's own "Job succeeded" line, with its attempt, duration and trace ID, is at DEBUG; the
 * ledger keeps them too.
 */
function logSettled(deps: RuntimeDeps, settled: readonly Settled[]): void {
  const succeeded: string[] = [];
  const others: Record<string, number> = {};
  for (const { outcome, jobId } of settled) {
    // A run that succeeded was read, so it has its job ID.
    if (outcome.result === 'SUCCEEDED' && jobId !== undefined) succeeded.push(jobId);
    else others[outcome.result] = (others[outcome.result] ?? 0) + 1;
  }
  const rest = Object.keys(others).length > 0 ? { others } : {};
  chunk(succeeded, IDS_PER_LINE).forEach((ids, n) =>
    deps.logger.info('Batch settled', { succeeded: ids, ...(n === 0 ? rest : {}) }),
  );
}
