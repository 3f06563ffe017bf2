import { backoffSeconds, MAX_VISIBILITY_SECONDS } from './backoff.ts';
import { createJobContext, type RunState } from './create-job-context.ts';
import { type IncomingRecord, parseMessage, type ParsedMessage, type ParseResult } from '../contracts/envelope.ts';
import { isPermanent } from './errors.ts';
import { guardOverlap } from './overlap-guard.ts';
import type { JobLogger } from './job-context.ts';
import { LeaseLostError, REJECTED_FENCE, RunCancelledError, type RunKey, RunStatus } from './run-ledger.ts';
import { DAY_MS, type RuntimeDeps } from './runtime-deps.ts';
import { type RunTrace, runTrace, tracedLogger } from './run-trace.ts';
import { describeIssues } from './validation-message.ts';
import * as z from './zod-mini.ts';

/** What became of one record: acknowledged (deleted from the queue) or handed back to SQS after `visibilitySeconds`. */
export type RecordOutcome =
  | {
      readonly kind: 'ack';
      readonly result:
        | 'SUCCEEDED'
        | 'DUPLICATE'
        | 'DEAD'
        | 'LEASE_LOST'
        | 'SKIPPED'
        | 'BUFFERED'
        | 'CANCELLED'
        | 'HANDED_OVER';
    }
  | {
      readonly kind: 'retry';
      readonly result: 'FAILED' | 'BUSY' | 'HANDED_BACK' | 'ERROR';
      readonly visibilitySeconds: number;
    };

type AckResult = Extract<RecordOutcome, { kind: 'ack' }>['result'];
const ack = (result: AckResult): RecordOutcome => ({ kind: 'ack', result });

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}

/**
 * A message that never becomes a run: recorded DEAD, copied to the DLQ with the reason, acknowledged; a run cancelled
 * while queued is only acknowledged.
 * Its DEAD record and DLQ copy carry fence 0, so a redrive after the producer is fixed runs it once.
 */
async function rejectMessage(
  deps: RuntimeDeps,
  record: IncomingRecord,
  jobId: string,
  reason: string,
  trace: RunTrace | undefined,
): Promise<RecordOutcome> {
  const now = deps.clock.now();
  const key: RunKey = { job: deps.job.name, id: jobId };
  deps.logger.warn('Message rejected', { jobId, reason });
  const traceHeader = trace?.header;
  // The record first: a run cancelled while queued stays cancelled, with no DLQ copy. If the process dies before the
  // copy, the message returns, finds the record, and is copied then.
  const existing = await deps.ledger.reject(key, {
    now,
    error: reason,
    expiresAt: now + deps.job.ledgerRetentionDays * DAY_MS,
    traceId: trace?.id,
  });
  if (existing === RunStatus.CANCELLED) return cancelled(deps, deps.logger, `Cancelled run ${jobId} acknowledged`);
  await deps.queue.deadLetter({ record, jobId, reason, attempts: 0, fence: REJECTED_FENCE, at: now, traceHeader });
  deps.metrics.count('JobDeadLettered');
  return ack('DEAD');
}

async function deadLetter(
  deps: RuntimeDeps,
  record: IncomingRecord,
  run: RunState,
  reason: string,
  log: JobLogger,
): Promise<RecordOutcome> {
  const now = deps.clock.now();
  // A run cancelled meanwhile is acknowledged, not dead-lettered (RunCancelledError, caught by the caller).
  await deps.ledger.holds(run.key, run.fence, now);
  // The copy goes first: if the process dies before the ledger write, the message returns and is dead-lettered again.
  await deps.queue.deadLetter({
    record,
    jobId: run.key.id,
    reason,
    attempts: run.attempt,
    fence: run.fence,
    at: now,
    traceHeader: run.trace?.header,
  });
  const marked = await deps.ledger.kill(run.key, run.fence, { now, error: reason });
  if (!marked) log.warn('Dead-lettered, but another delivery now owns the run', { reason });
  deps.metrics.count('JobDeadLettered');
  log.error('Job dead-lettered', { reason });
  return ack('DEAD');
}

async function runClaimed(
  deps: RuntimeDeps,
  record: IncomingRecord,
  message: ParsedMessage,
  payload: unknown,
  run: RunState,
): Promise<RecordOutcome> {
  const { job, clock, metrics } = deps;
  const log = deps.logger.child({ jobId: message.jobId, attempt: run.attempt, fence: run.fence });
  if (run.attempt > job.retry.attempts) {
    return deadLetter(
      deps,
      record,
      run,
      `attempts exhausted (${run.attempt - 1} of ${job.retry.attempts}) without completing`,
      log,
    );
  }
  // A durable job's run starts when its execution takes it over, and is counted there.
  if (!deps.handOver) metrics.count('JobStarted');
  if (message.enqueuedAt !== undefined) metrics.milliseconds('JobLag', Math.max(0, run.startedAt - message.enqueuedAt));
  if (message.occurrence)
    metrics.milliseconds('ScheduleLateness', Math.max(0, run.startedAt - Date.parse(message.occurrence.time)));
  try {
    if (deps.handOver) {
      if (!(await deps.handOver(run, payload, message))) return leaseLost(deps, log, undefined);
      log.info('Handed over to its durable execution');
      return ack('HANDED_OVER');
    }
    await deps.handler(payload, createJobContext(deps, message, run, log));
  } catch (error) {
    if (error instanceof LeaseLostError) return leaseLost(deps, log, error);
    metrics.count('JobFailed');
    const reason = errorText(error);
    if (isPermanent(error)) return deadLetter(deps, record, run, `permanent failure: ${reason}`, log);
    if (run.attempt >= job.retry.attempts) {
      return deadLetter(
        deps,
        record,
        run,
        `attempts exhausted (${run.attempt} of ${job.retry.attempts}): ${reason}`,
        log,
      );
    }
    const delay = backoffSeconds(job.retry.backoff, run.attempt, deps.random);
    const now = clock.now();
    await deps.ledger.fail(run.key, run.fence, { now, error: reason, retryAt: now + delay * 1000 });
    metrics.count('JobRetried');
    log.warn('Job failed; it will be retried', { error: reason, retryInSeconds: delay });
    return { kind: 'retry', result: 'FAILED', visibilitySeconds: delay };
  }
  // Outside the handler's try: if the completion write itself fails, the job did not fail. The error goes
  // up as a ledger error (no attempt spent, the message comes back), not as a FAILED attempt.
  const finishedAt = clock.now();
  // One duration for the ledger, the metric and the log: a handler that committed its run stopped the clock then.
  const durationMs = run.committedDurationMs ?? finishedAt - run.startedAt;
  const written =
    run.committed || (await deps.ledger.succeed({ key: run.key, fence: run.fence, finishedAt, durationMs }));
  if (!written) return leaseLost(deps, log, undefined);
  run.finished = true;
  metrics.count('JobSucceeded');
  metrics.milliseconds('JobDuration', durationMs);
  log.debug('Job succeeded', { durationMs });
  return followUp(deps, message, payload, run, log, 'SUCCEEDED');
}

function leaseLost(deps: RuntimeDeps, log: JobLogger, error: LeaseLostError | undefined): RecordOutcome {
  if (error instanceof RunCancelledError) return cancelled(deps, log, 'Run cancelled; it stopped at its next step');
  deps.metrics.count('JobLeaseLost');
  log.warn('Lease lost; the delivery that holds it finishes the run');
  return ack('LEASE_LOST');
}

/** A cancelled run's message: acknowledged, never retried or dead-lettered. */
function cancelled(deps: RuntimeDeps, log: JobLogger | RuntimeDeps['logger'], message: string): RecordOutcome {
  deps.metrics.count('JobCancelled');
  log.info(message);
  return ack('CANCELLED');
}

/**
 * Runs the job's after-success effects. The run is SUCCEEDED already, so a failure here spends no
 * attempt: the message comes back, finds the run done, and replays only these effects.
 */
async function followUp(
  deps: RuntimeDeps,
  message: ParsedMessage,
  payload: unknown,
  run: RunState,
  log: JobLogger,
  result: 'SUCCEEDED' | 'DUPLICATE',
): Promise<RecordOutcome> {
  if (!deps.afterSuccess) return ack(result);
  try {
    await deps.afterSuccess(payload, createJobContext(deps, message, run, log));
    return ack(result);
  } catch (error) {
    log.warn('After-success effects failed; the delivery will replay them', { error: errorText(error) });
    return {
      kind: 'retry',
      result: 'ERROR',
      visibilitySeconds: backoffSeconds(deps.job.retry.backoff, 1, deps.random),
    };
  }
}

/**
 * The per-record flow: validate, claim, run, finish. Every line it logs carries the run's trace ID.
 * @param parsed the record's message, if the caller parsed it already (a batch does, to name the runs it settles)
 */
export async function processRecord(
  untraced: RuntimeDeps,
  record: IncomingRecord,
  parsed: ParseResult = parseMessage(record, untraced.job.name),
): Promise<RecordOutcome> {
  const trace = runTrace(record.traceHeader, untraced.traceHeader?.());
  const deps = trace ? { ...untraced, logger: tracedLogger(untraced.logger, trace) } : untraced;
  const { job, clock, ledger } = deps;
  if (!parsed.ok) return rejectMessage(deps, record, parsed.jobId, `invalid message: ${parsed.reason}`, trace);
  const message = parsed.message;
  const validation = z.safeParse(job.payload, message.payload);
  if (!validation.success) {
    return rejectMessage(
      deps,
      record,
      message.jobId,
      `invalid payload: ${describeIssues(validation.error.issues, message.payload)}`,
      trace,
    );
  }
  const now = clock.now();
  const key: RunKey = { job: job.name, id: message.jobId };
  const leaseExpiresAt = now + deps.remainingMs() + (deps.leaseGraceMs ?? 30_000);
  const claim = await ledger.claim({
    key,
    now,
    leaseExpiresAt,
    expiresAt: now + job.ledgerRetentionDays * DAY_MS,
    enqueuedAt: message.enqueuedAt,
    occurrence: message.occurrence,
    redriveOfFence: message.redriveOfFence,
    traceId: trace?.id,
    // A record that does not say (a test's) counts as a first delivery.
    firstDelivery: (record.receiveCount ?? 1) === 1,
  });
  if (claim.outcome === 'duplicate' && claim.status === RunStatus.CANCELLED)
    return cancelled(deps, deps.logger, `Cancelled run ${message.jobId} acknowledged; it never starts`);
  if (claim.outcome === 'duplicate') {
    deps.metrics.count('JobDuplicate');
    // Only a scheduled occurrence's duplicates are counted in the ledger (the watchdog's DuplicateOccurrences).
    if (message.occurrence) await ledger.countDuplicate(key, now);
    deps.logger.info('Duplicate delivery acknowledged', { jobId: message.jobId, status: claim.status });
    if (claim.status !== RunStatus.SUCCEEDED) return ack('DUPLICATE');
    const done: RunState = { key, attempt: 0, fence: 0, startedAt: now, committed: true, trace };
    return followUp(
      deps,
      message,
      validation.data,
      done,
      deps.logger.child({ jobId: message.jobId, replay: true }),
      'DUPLICATE',
    );
  }
  // Another delivery of a durable run that its execution holds: acknowledged, not returned to the queue every
  // 12 hours until the execution ends (each return spends a receive, towards the queue's redrive to the DLQ).
  if (claim.outcome === 'busy' && claim.handedOver) {
    deps.metrics.count('JobDuplicate');
    deps.logger.info('Duplicate delivery acknowledged; its durable execution runs', { jobId: message.jobId });
    return ack('DUPLICATE');
  }
  if (claim.outcome === 'busy') {
    deps.metrics.count('JobBusy');
    const wait = Math.ceil((claim.leaseExpiresAt - now) / 1000) + 1;
    return { kind: 'retry', result: 'BUSY', visibilitySeconds: Math.min(Math.max(wait, 1), MAX_VISIBILITY_SECONDS) };
  }
  const run: RunState = {
    key,
    attempt: claim.attempt,
    fence: claim.fence,
    startedAt: now,
    checkpoint: claim.checkpoint,
    redrives: claim.redrives,
    committed: false,
    trace,
  };
  // A retry is not a new occurrence: it waits its turn rather than being skipped behind a later one.
  const overlap = await guardOverlap(
    deps,
    claim.attempt > 1 ? { ...message, waitTurn: true } : message,
    { key, fence: claim.fence, leaseExpiresAt, traceHeader: trace?.header },
    deps.logger.child({ jobId: message.jobId }),
  );
  if (overlap.kind === 'skipped') return ack('SKIPPED');
  if (overlap.kind === 'buffered') return ack('BUFFERED');
  const { release } = overlap;
  try {
    return await runClaimed(deps, record, message, validation.data, run);
  } catch (error) {
    // Cancelled while it ran, found by its completion, failure or dead-letter write.
    if (error instanceof RunCancelledError)
      return cancelled(deps, deps.logger.child({ jobId: message.jobId }), 'Run cancelled; its outcome is not recorded');
    throw error;
  } finally {
    await release();
  }
}
