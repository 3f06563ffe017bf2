import { lastDueOccurrence } from './schedule-views.ts';
import type { ScheduleWatchState } from '@serverless-jobs/runtime/schedules';
import type { DeployedSchedule, HealthReport, HealthState, JobHealth } from './ops-types.ts';

/** How late an occurrence's run may appear in the ledger before the occurrence counts as missed. @default 15 min */
export const DEFAULT_MISSED_TOLERANCE_MS = 15 * 60_000;

/** The facts about one job that its health is judged from; gathered by JobsOps, judged here without I/O. */
export interface JobHealthFacts {
  readonly job: string;
  readonly lastSuccess?: string;
  readonly nextOccurrence?: string;
  /** FAILED and DEAD runs created in the window. */
  readonly failuresInWindow: number;
  readonly dlqDepth: number;
  readonly oldestMessageAgeSeconds?: number;
  /** The job's backlog alarm threshold (`alarms.oldestMessageAgeSeconds`). */
  readonly oldestMessageAgeLimitSeconds: number;
  /**
   * Occurrences due longer ago than the tolerance that left no run in the ledger (by the last one's check,
   * or the watchdog's).
   */
  readonly missed: readonly { readonly schedule: string; readonly occurrence: string }[];
  /**
   * From the watchdog, in the window: occurrences whose message arrived beyond `lateAfter`, or more than
   * once. @default []
   */
  readonly late?: readonly { readonly schedule: string; readonly occurrence: string }[];
  readonly duplicated?: readonly { readonly schedule: string; readonly occurrence: string }[];
  readonly windowLabel: string;
}

const RANK: Readonly<Record<HealthState, number>> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };

const worst = (states: readonly HealthState[]): HealthState =>
  states.reduce<HealthState>((a, b) => (RANK[b] > RANK[a] ? b : a), 'Healthy');

/**
 * Unhealthy: the DLQ holds messages, or a schedule missed its last occurrence. Degraded: runs failed in the
 * window, or the oldest queued message is older than the job's backlog alarm. Healthy otherwise.
 */
export function judgeJobHealth(facts: JobHealthFacts): JobHealth {
  const unhealthy: string[] = [];
  const degraded: string[] = [];
  if (facts.dlqDepth > 0) unhealthy.push(`${facts.dlqDepth} message(s) in the DLQ`);
  for (const miss of facts.missed)
    unhealthy.push(`schedule "${miss.schedule}" missed its occurrence ${miss.occurrence}: no run in the ledger`);
  for (const late of facts.late ?? [])
    degraded.push(`schedule "${late.schedule}": occurrence ${late.occurrence} arrived late`);
  for (const dup of facts.duplicated ?? [])
    degraded.push(
      `schedule "${dup.schedule}": occurrence ${dup.occurrence} was delivered more than once (it ran once)`,
    );
  if (facts.failuresInWindow > 0)
    degraded.push(`${facts.failuresInWindow} FAILED/DEAD run(s) in the last ${facts.windowLabel}`);
  const age = facts.oldestMessageAgeSeconds;
  if (age !== undefined && age > facts.oldestMessageAgeLimitSeconds) {
    degraded.push(
      `the oldest queued message has waited ${Math.round(age)} s (alarm at ${facts.oldestMessageAgeLimitSeconds} s)`,
    );
  }
  const state: HealthState = unhealthy.length > 0 ? 'Unhealthy' : degraded.length > 0 ? 'Degraded' : 'Healthy';
  return {
    job: facts.job,
    state,
    lastSuccess: facts.lastSuccess,
    nextOccurrence: facts.nextOccurrence,
    failuresInWindow: facts.failuresInWindow,
    dlqDepth: facts.dlqDepth,
    oldestMessageAgeSeconds: facts.oldestMessageAgeSeconds,
    reasons: [...unhealthy, ...degraded],
  };
}

/** The whole system is as healthy as its least healthy job. */
export function healthReport(jobs: readonly JobHealth[], checkedAt: Date): HealthReport {
  return { state: worst(jobs.map((job) => job.state)), checkedAt: checkedAt.toISOString(), jobs };
}

/**
 * The occurrence whose run must be in the ledger by now: the last one due before `now - tolerance`,
 * unless the schedule is paused or changed after it (then nothing was owed).
 */
export function occurrenceOwed(deployed: DeployedSchedule, now: Date, toleranceMs: number): Date | undefined {
  if (deployed.state !== 'ENABLED') return undefined;
  let due: Date | undefined;
  try {
    due = lastDueOccurrence(deployed.expression, deployed.timeZone, new Date(now.getTime() - toleranceMs));
  } catch {
    return undefined; // an expression this code cannot evaluate is not evidence of a miss
  }
  if (!due) return undefined;
  const since = deployed.activeSince === undefined ? undefined : Date.parse(deployed.activeSince);
  return since !== undefined && due.getTime() < since ? undefined : due;
}

type Finding = { readonly schedule: string; readonly occurrence: string };

/**
 * What the watchdog stored for a job's schedules: the missed, late and duplicated occurrences due inside the window.
 */
export function watchdogFindings(
  states: readonly ScheduleWatchState[],
  now: Date,
  windowMs: number,
): Record<'missed' | 'late' | 'duplicated', Finding[]> {
  const inWindow = (ids: readonly string[]): Finding[] =>
    ids.flatMap((id) => {
      const at = id.indexOf('@');
      const occurrence = id.slice(at + 1);
      const time = Date.parse(occurrence);
      return time >= now.getTime() - windowMs && time <= now.getTime()
        ? [{ schedule: id.slice(0, at), occurrence }]
        : [];
    });
  return {
    missed: states.flatMap((state) => inWindow(state.recent.missed)),
    late: states.flatMap((state) => inWindow(state.recent.late)),
    duplicated: states.flatMap((state) => inWindow(state.recent.duplicated)),
  };
}
