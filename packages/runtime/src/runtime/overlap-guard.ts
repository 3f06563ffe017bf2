import type { ParsedMessage } from '../contracts/envelope.ts';
import type { JobLogger } from './job-context.ts';
import { groupOf } from './message-group.ts';
import type { RunKey } from './run-ledger.ts';
import type { RuntimeDeps } from './runtime-deps.ts';

/** How often a buffered occurrence looks again whether the run ahead of it has finished. */
export const BUFFER_RECHECK_SECONDS = 30;

export type OverlapDecision =
  | { readonly kind: 'run'; readonly release: () => Promise<void> }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'buffered'; readonly reason: string };

const FREE: OverlapDecision = { kind: 'run', release: async () => undefined };

/**
 * Applies the schedule's overlap policy to a claimed occurrence: `allow` runs it;
 * otherwise it must take the schedule's lease. If another occurrence holds it, `skip` records this one SKIPPED,
 * and `bufferOne` parks it PENDING (its attempt not spent) and sends it again after a short delay, unless an
 * occurrence is buffered already, in which case it is SKIPPED too. An occurrence that catch-up or backfill
 * enqueued (`waitTurn`) always waits instead. An expired lease no longer blocks.
 */
export async function guardOverlap(
  deps: RuntimeDeps,
  message: ParsedMessage,
  run: {
    readonly key: RunKey;
    readonly fence: number;
    readonly leaseExpiresAt: number;
    readonly traceHeader?: string;
  },
  log: JobLogger,
): Promise<OverlapDecision> {
  const occurrence = message.occurrence;
  const policy = occurrence && deps.job.schedules.find((s) => s.name === occurrence.schedule)?.overlap;
  if (!occurrence || policy === undefined || policy === 'allow') return FREE;
  const now = deps.clock.now();
  const lease = {
    job: deps.job.name,
    schedule: occurrence.schedule,
    holder: message.jobId,
    now,
    expiresAt: run.leaseExpiresAt,
  };
  const answer = await deps.ledger.leases.acquire(lease);
  if (answer.acquired) {
    return {
      kind: 'run',
      release: () =>
        deps.ledger.leases.release({ ...lease, token: answer.token }).catch((error: unknown) => {
          log.warn('Could not release the schedule lease; it expires by itself', { error: String(error) });
        }),
    };
  }
  const ahead =
    answer.holder !== undefined && (answer.expiresAt ?? 0) >= now
      ? `${answer.holder} is RUNNING (lease until ${new Date(answer.expiresAt!).toISOString()})`
      : `${answer.buffered} is waiting to run next`;
  const wait = async (reason: string): Promise<OverlapDecision> => {
    await deps.ledger.wait(run.key, run.fence, { now, reason });
    // A fresh copy, delayed, rather than the same message kept in flight: waiting spends no receive count.
    const copy = {
      id: message.jobId,
      payload: message.payload,
      delaySeconds: BUFFER_RECHECK_SECONDS,
      occurrence,
      waitTurn: message.waitTurn,
      traceHeader: run.traceHeader,
      messageGroupId: groupOf(deps.job, message.payload),
    };
    await deps.queue.send(deps.job.name, [copy]);
    deps.metrics.count('JobBuffered');
    log.info('Occurrence waits for the running one', { reason });
    return { kind: 'buffered', reason };
  };
  // Catch-up and backfill enqueue occurrences so that they run: each waits its turn, in no particular order.
  if (message.waitTurn) return wait(`overlap ${policy}: waiting its turn (a retry, catch-up or backfill), ${ahead}`);
  if (
    policy === 'bufferOne' &&
    (await deps.ledger.leases.buffer({ ...lease, expiresAt: now + (BUFFER_RECHECK_SECONDS + 60) * 1000 }))
  ) {
    return wait(`overlap bufferOne: waiting, ${ahead}`);
  }
  const reason =
    policy === 'bufferOne'
      ? `overlap bufferOne: ${ahead}, and ${answer.buffered ?? 'another occurrence'} is buffered already`
      : `overlap skip: ${ahead}`;
  await deps.ledger.skip(run.key, run.fence, { now, reason });
  deps.metrics.count('JobSkipped');
  log.info('Occurrence skipped', { reason });
  return { kind: 'skipped', reason };
}
