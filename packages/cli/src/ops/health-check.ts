import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbOccurrenceLedger } from '@serverless-jobs/runtime/adapters';
import { occurrenceJobId } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import { formatDuration } from './duration.ts';
import { healthReport, type JobHealthFacts, judgeJobHealth, occurrenceOwed, watchdogFindings } from './health.ts';
import { type MessageAgeSource, queueNameOf } from './message-age.ts';
import type { HealthReport, JobHealth, QueueCounts, ScheduleControl, ScheduleRef } from './ops-types.ts';
import { forEachRun, hasRun } from './run-history.ts';
import { scheduleView } from './schedule-views.ts';

/** Failed runs counted per job in a health window; more only says "many". */
const MAX_FAILURES_COUNTED = 1000;
const FAILURES = new Set<string>([RunStatus.FAILED, RunStatus.DEAD]);

/** What a health check reads: the ledger, the queues and the schedules of one running stack. */
export interface HealthCheckDeps {
  readonly jobs: readonly JobDeclaration[];
  readonly dynamodb: DynamoDBClient;
  readonly ledgerTable: () => string;
  readonly queueUrl: (job: string) => string;
  readonly queueCounts: (job: string) => Promise<QueueCounts>;
  readonly messageAge?: MessageAgeSource;
  readonly schedules: ScheduleControl;
  readonly scheduleRef: (job: string, schedule: string) => ScheduleRef;
  readonly occurrences: () => DynamoDbOccurrenceLedger;
  /** Now on the ledger's clock. */
  readonly now: Date;
  /** Now on the schedules' clock (npm start's may be virtual). */
  readonly scheduleNow: Date;
  readonly missedToleranceMs: number;
}

/** Healthy, Degraded or Unhealthy, with each job's facts: what `jobs-cli health` and `/health` answer. */
export async function checkHealth(deps: HealthCheckDeps, windowMs: number): Promise<HealthReport> {
  const jobs = await Promise.all(deps.jobs.map((job) => jobHealth(deps, job, windowMs)));
  return healthReport(jobs, deps.now);
}

async function jobHealth(deps: HealthCheckDeps, job: JobDeclaration, windowMs: number): Promise<JobHealth> {
  const ledger = deps.ledgerTable();
  const since = new Date(deps.now.getTime() - windowMs).toISOString();
  // One read of the job's runs gives both: the latest finish of a success, and the failures in the window.
  let lastSuccess: string | undefined;
  let failures = 0;
  const runs = forEachRun(deps.dynamodb, ledger, job.name, {}, (run) => {
    // The latest finish: a run redriven out of the DLQ was created before runs that finished before it.
    if (run.status === RunStatus.SUCCEEDED) lastSuccess = latest([lastSuccess ?? '', run.finishedAt ?? run.createdAt]);
    else if (FAILURES.has(run.status) && run.createdAt >= since) failures++;
  });
  const [, counts, age, schedules] = await Promise.all([
    runs,
    deps.queueCounts(job.name),
    deps.messageAge?.oldestMessageAgeSeconds(queueNameOf(deps.queueUrl(job.name))),
    scheduleFacts(deps, job, windowMs),
  ]);
  const facts: JobHealthFacts = {
    job: job.name,
    lastSuccess: lastSuccess || undefined,
    nextOccurrence: schedules.next,
    failuresInWindow: Math.min(failures, MAX_FAILURES_COUNTED),
    dlqDepth: counts.dlqVisible + counts.dlqInFlight,
    oldestMessageAgeSeconds: age,
    oldestMessageAgeLimitSeconds: job.alarms.oldestMessageAgeSeconds,
    missed: schedules.missed,
    late: schedules.late,
    duplicated: schedules.duplicated,
    windowLabel: formatDuration(windowMs),
  };
  return judgeJobHealth(facts);
}

type Occurrences = { schedule: string; occurrence: string }[];

/** The job's next occurrence over all its schedules, and the occurrences owed by now that left no run. */
async function scheduleFacts(
  deps: HealthCheckDeps,
  job: JobDeclaration,
  windowMs: number,
): Promise<{ next?: string } & Record<'missed' | 'late' | 'duplicated', Occurrences>> {
  const now = deps.scheduleNow;
  const ledger = job.schedules.length > 0 ? deps.ledgerTable() : '';
  const perSchedule = await Promise.all(
    job.schedules.map(async (s) => {
      const deployed = await deps.schedules.describe(deps.scheduleRef(job.name, s.name));
      const view = scheduleView(job.name, s, deployed, now, 1);
      const owed = occurrenceOwed(deployed, now, deps.missedToleranceMs);
      const occurrence = owed === undefined ? undefined : occurrenceTime(owed.getTime());
      const missed =
        occurrence !== undefined &&
        !(await hasRun(deps.dynamodb, ledger, job.name, occurrenceJobId(s.name, occurrence)));
      return { next: view.next[0], missed: missed ? [{ schedule: s.name, occurrence: occurrence! }] : [] };
    }),
  );
  const next = perSchedule.flatMap((p) => (p.next ? [p.next] : [])).sort()[0];
  const occurrences = deps.occurrences();
  const watched = watchdogFindings(
    await Promise.all(job.schedules.map((s) => occurrences.state(job.name, s.name))),
    now,
    windowMs,
  );
  const missed = [...perSchedule.flatMap((p) => p.missed), ...watched.missed].filter(
    (m, i, all) => all.findIndex((o) => o.schedule === m.schedule && o.occurrence === m.occurrence) === i,
  );
  return { next, missed, late: watched.late, duplicated: watched.duplicated };
}

/** The latest of some ISO times (they sort as text), or undefined for none. */
const latest = (times: readonly string[]): string | undefined =>
  times.reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
