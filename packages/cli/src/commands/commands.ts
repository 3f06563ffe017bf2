import { occurrenceJobId } from '@serverless-jobs/runtime/contracts';
import type { CancelAnswer } from '@serverless-jobs/runtime/adapters';
import type { JobsOps } from '../ops/jobs-ops.ts';
import {
  HEALTH_EXIT_CODE,
  type DeadLetterView,
  type HealthReport,
  type JobHealth,
  type RedriveResult,
  type RunView,
  type ScheduleView,
} from '../ops/ops-types.ts';
import type { Command } from './cli-args.ts';
import { DRIFT_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes.ts';
import { readEntries } from './payload-input.ts';
import { type Column, formatTable } from './text-table.ts';
import { dstFlag } from '../ops/schedule-views.ts';
import type { BackfilledOccurrence, BackfillResult } from '../ops/backfill.ts';
import { readCdkContext } from '../ops/deploy-context.ts';
import { formatDrift } from './drift-output.ts';

/** Where a command writes: stdout for results, stderr for progress. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Progress is redrawn in place on a terminal, and printed once at the end elsewhere. */
  readonly errIsTty: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);
const short = (iso: string | undefined): string => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

const scheduleColumns: Column<{ job: string; s?: ScheduleView }>[] = [
  { header: 'JOB', cell: (r) => r.job },
  { header: 'SCHEDULE', cell: (r) => r.s?.name ?? '-' },
  // The words of the pause and resume commands and of the dashboard; JSON keeps AWS's ENABLED and DISABLED.
  { header: 'STATE', cell: (r) => (r.s ? (r.s.state === 'ENABLED' ? 'active' : 'paused') : '-') },
  { header: 'EXPRESSION', cell: (r) => r.s?.expression ?? 'queue only' },
  { header: 'TIME ZONE', cell: (r) => r.s?.timeZone ?? '' },
  { header: 'NEXT (UTC)', cell: (r) => (r.s?.next ?? []).map(short).join(', ') },
];

/** Why a run waits, or its last error; none for a success (a redriven run keeps the error that dead-lettered it). */
function runNote(r: RunView): string {
  if (r.status === 'SKIPPED' || r.status === 'PENDING' || r.status === 'CANCELLED') return r.reason ?? '';
  if (r.status === 'RUNNING' && r.waitingFor) return r.waitingFor;
  return r.status === 'SUCCEEDED' ? '' : (r.lastError ?? '');
}

/** `40/100 copying`: what the job last reported with ctx.progress. */
export function progressText(r: RunView): string {
  if (!r.progress) return '';
  return [`${r.progress.done}/${r.progress.total}`, r.progress.note].filter(Boolean).join(' ');
}

const runColumns: Column<RunView>[] = [
  { header: 'CREATED', cell: (r) => short(r.createdAt) },
  { header: 'ID', cell: (r) => r.id, max: 48 },
  { header: 'STATUS', cell: (r) => r.status },
  { header: 'ATTEMPT', cell: (r) => String(r.attempt) },
  { header: 'DURATION', cell: (r) => (r.durationMs === undefined ? '' : `${r.durationMs} ms`) },
  { header: 'PROGRESS', cell: (r) => progressText(r), max: 32 },
  { header: 'TRACE', cell: (r) => r.traceId ?? '' },
  { header: 'LAST ERROR / REASON', cell: (r) => runNote(r), max: 80 },
];

/** What becomes of a run just cancelled. */
function whatCancelDid(answer: Extract<CancelAnswer, { cancelled: true }>): string {
  if (answer.notFound === 'callback')
    return (
      'the callback its durable execution waited for was no longer waiting; an execution still running stops at ' +
      'its next step'
    );
  if (answer.notFound === 'execution') return 'its durable execution had ended already';
  if (answer.stopsAtNextStep) return 'its durable execution stops at its next step, when its wait ends';
  if (answer.execution?.callbackId)
    return 'its durable execution was waiting for a callback, failed now, so it stops at once';
  return answer.was === 'RUNNING'
    ? 'it stops at its next checkpoint, progress report, enqueue, step or completion'
    : 'it never starts';
}

const deadLetterColumns: Column<DeadLetterView>[] = [
  { header: 'JOB ID', cell: (d) => d.jobId, max: 48 },
  { header: 'ATTEMPTS', cell: (d) => String(d.attempts) },
  { header: 'DEAD AT', cell: (d) => short(d.deadAt) },
  { header: 'REASON', cell: (d) => d.reason, max: 90 },
];

const healthColumns: Column<JobHealth>[] = [
  { header: 'JOB', cell: (h) => h.job },
  { header: 'STATE', cell: (h) => h.state },
  { header: 'LAST SUCCESS', cell: (h) => short(h.lastSuccess) },
  { header: 'NEXT', cell: (h) => short(h.nextOccurrence) },
  { header: 'FAILURES', cell: (h) => String(h.failuresInWindow) },
  { header: 'DLQ', cell: (h) => String(h.dlqDepth) },
  {
    header: 'OLDEST',
    cell: (h) => (h.oldestMessageAgeSeconds === undefined ? '-' : `${Math.round(h.oldestMessageAgeSeconds)} s`),
  },
];

type UpcomingOccurrence = ScheduleView['upcoming'][number];

const upcomingColumns = (zone: string): Column<UpcomingOccurrence>[] => [
  { header: 'UTC', cell: (o) => short(o.at) },
  { header: `LOCAL (${zone})`, cell: (o) => o.local.replace('T', ' ') },
  { header: 'DST', cell: (o) => dstFlag(o, zone) ?? '' },
];

/**
 * `jobs next`: per schedule, a heading, then its occurrences with their DST flags, then the offset changes among them.
 */
export function formatUpcoming(views: readonly ScheduleView[]): string {
  return views
    .map((view) => {
      const heading = `${view.job}/${view.name}: ${view.expression} in ${view.timeZone}`;
      if (view.state !== 'ENABLED') return `${heading}: paused, no occurrences`;
      if (view.upcoming.length === 0) return `${heading}: no further occurrences`;
      return [
        heading,
        formatTable(view.upcoming, upcomingColumns(view.timeZone)),
        ...view.dstShifts.map((note) => `  ${note}`),
      ].join('\n');
    })
    .join('\n\n');
}

const backfillColumns: Column<BackfilledOccurrence>[] = [
  { header: 'SCHEDULE', cell: (o) => o.schedule },
  { header: 'OCCURRENCE (UTC)', cell: (o) => o.time },
  {
    header: 'RESULT',
    cell: (o) => (o.result === 'exists' ? `already in the ledger${o.status ? ` (${o.status})` : ''}` : o.result),
  },
  {
    header: 'DST',
    cell: (o) =>
      o.dst === 'gap-shifted'
        ? 'shifted to the end of the gap'
        : o.dst === 'repeated-once'
          ? 'repeated local time: once'
          : '',
  },
];

/** `jobs backfill`: each occurrence and what became of it, then the counts. */
export function formatBackfill(result: BackfillResult): string {
  const count = (what: BackfilledOccurrence['result']) => result.occurrences.filter((o) => o.result === what).length;
  const summary = result.dryRun
    ? `Dry run for ${result.job}: ${count('would enqueue')} would be enqueued, ${count('exists')} ` +
      `already in the ledger; nothing was sent`
    : `Backfilled ${result.job}: ${count('enqueued')} enqueued, ${count('exists')} already in the ledger`;
  if (result.occurrences.length === 0) return `${result.job}: no occurrence in the range`;
  return [formatTable(result.occurrences, backfillColumns), '', summary].join('\n');
}

export function formatHealth(report: HealthReport): string {
  const reasons = report.jobs.flatMap((job) => job.reasons.map((reason) => `  ${job.job}: ${reason}`));
  return [
    `${report.state} (checked ${short(report.checkedAt)})`,
    '',
    formatTable(report.jobs, healthColumns),
    ...(reasons.length > 0 ? ['', ...reasons] : []),
  ].join('\n');
}

/** What a redrive left in the DLQ, one line per reason; the filter is named only for what it did not match. */
function redriveLeftovers(result: RedriveResult, job: string): string[] {
  return [
    ...(result.skipped > 0 ? [`${result.skipped} left in the DLQ: the filter did not match them`] : []),
    ...(result.failedAgain > 0
      ? [
          `${result.failedAgain} of the moved message(s) failed again and came back to the DLQ while the ` +
            `redrive ran (see jobs-cli dlq ${job})`,
        ]
      : []),
    ...(result.arrivedMeanwhile > 0
      ? [`${result.arrivedMeanwhile} other dead letter(s) reached the DLQ while the redrive ran; left there`]
      : []),
  ];
}

/**
 * Runs one command against the ops core; returns the exit code. Errors are thrown to the entry point.
 * `root` is the app's folder, whose cdk.json `drift` reads (@default the working folder).
 */
export async function runCommand(
  command: Command,
  asJson: boolean,
  ops: JobsOps,
  io: CliIo,
  options: { readonly root?: string } = {},
): Promise<number> {
  const print = (value: unknown, text: () => string) => io.out(asJson ? json(value) : text());
  switch (command.name) {
    case 'help':
      if (!command.requested) {
        io.err(`${command.text}\n`);
        return USAGE_EXIT_CODE;
      }
      io.out(command.text);
      return 0;
    case 'version':
      io.out(`jobs-cli ${command.version}`);
      return 0;
    case 'list': {
      const jobs = await ops.listJobs();
      print(jobs, () => {
        const rows = jobs.flatMap((job) =>
          job.schedules.length === 0 ? [{ job: job.name }] : job.schedules.map((s) => ({ job: job.name, s })),
        );
        const shifts = jobs.flatMap((job) =>
          job.schedules.flatMap((s) => s.dstShifts.map((note) => `  DST ${job.name}/${s.name}: ${note}`)),
        );
        return [formatTable(rows, scheduleColumns), ...(shifts.length > 0 ? ['', ...shifts] : [])].join('\n');
      });
      return 0;
    }
    case 'next': {
      const views = await ops.nextOccurrences(command.job, { schedule: command.schedule, count: command.count });
      print(views, () => formatUpcoming(views));
      return 0;
    }
    case 'send': {
      const entries = await readEntries(command);
      const many = entries.length > 1;
      const result = await ops.send(command.job, entries, (done, total) => {
        if (many && io.errIsTty) io.err(`\rsending ${command.job}: ${done}/${total}`);
      });
      if (many) io.err(`${io.errIsTty ? '\r' : ''}sent ${command.job}: ${result.ids.length}/${entries.length}\n`);
      print(result, () => {
        const later =
          result.scheduled.length > 0
            ? `; ${result.scheduled.length} delayed through one-time schedules: ${result.scheduled.join(', ')}`
            : '';
        const ids = result.ids.length <= 10 ? `: ${result.ids.join(', ')}` : '';
        return `Sent ${result.ids.length} ${command.job} job(s)${ids}${later}`;
      });
      return 0;
    }
    case 'trigger': {
      const { ref, occurrence } = await ops.trigger(command.job, command.schedule);
      print(
        { job: ref.job, schedule: ref.schedule, occurrence, jobId: occurrenceJobId(ref.schedule, occurrence) },
        () =>
          `Triggered ${ref.job}/${ref.schedule}: occurrence ${occurrence} (job ID ` +
          `${occurrenceJobId(ref.schedule, occurrence)})`,
      );
      return 0;
    }
    case 'pause':
    case 'resume': {
      const refs =
        command.name === 'pause'
          ? await ops.pause(command.job, command.schedule)
          : await ops.resume(command.job, command.schedule);
      const verb = command.name === 'pause' ? 'Paused' : 'Resumed';
      print({ [command.name === 'pause' ? 'paused' : 'resumed']: refs }, () =>
        refs.map((ref) => `${verb} ${ref.job}/${ref.schedule} (${ref.name})`).join('\n'),
      );
      return 0;
    }
    case 'schedule': {
      const update = await ops.updateSchedule(command.job, command.expression, {
        timeZone: command.timeZone,
        schedule: command.schedule,
      });
      print(update, () =>
        [
          `Updated ${update.job}/${update.schedule}: ${update.expression} in ${update.timeZone}; ` +
            `next ${update.next.map(short).join(', ')}`,
          '',
          `Warning: ${update.driftWarning}`,
          ...update.contextLines.map((line) => `  ${line}`),
        ].join('\n'),
      );
      return 0;
    }
    case 'runs': {
      const now = io.now ?? Date.now;
      const since = command.sinceMs === undefined ? undefined : new Date(now() - command.sinceMs).toISOString();
      const runs = await ops.runs(command.job, { statuses: command.statuses, since, limit: command.limit });
      const which = command.statuses.length > 0 ? `${command.statuses.join(' or ')} runs` : 'runs';
      print(runs, () =>
        runs.length === 0
          ? `No ${which} of ${command.job}${since ? ` since ${short(since)}` : ''}`
          : formatTable(runs, runColumns),
      );
      return 0;
    }
    case 'cancel': {
      const answer = await ops.cancel(command.job, command.id);
      print(answer, () =>
        answer.cancelled
          ? `Cancelled ${command.job}/${command.id} (${answer.was === 'QUEUED' ? 'queued' : answer.was}): ` +
            whatCancelDid(answer)
          : `${command.job}/${command.id} is ${answer.status}` +
            `${answer.finishedAt ? ` since ${short(answer.finishedAt)}` : ''}: finished, so nothing changed`,
      );
      return answer.cancelled ? 0 : 1;
    }
    case 'callback': {
      const answer = await ops.callback(command.job, command.id, command.outcome);
      print(answer, () => `Sent the ${answer.sent} of callback "${answer.callback}" to ${answer.job}/${answer.jobId}`);
      return 0;
    }
    case 'ledger-import': {
      const answer = await ops.importLedger(command.from);
      print(answer, () =>
        [
          `Copied ${answer.copied} items from ${answer.from} to ${answer.to}; ${answer.present} were there already`,
          ...answer.skipped.map((pk) => `skipped, not an item of a ledger: ${pk}`),
        ].join('\n'),
      );
      return answer.skipped.length > 0 ? 1 : 0;
    }
    case 'dlq': {
      const [counts, letters] = await Promise.all([
        ops.queueCounts(command.job),
        ops.peekDlq(command.job, command.peek),
      ]);
      print({ counts, messages: letters }, () =>
        [
          `${command.job}: DLQ ${counts.dlqVisible} visible, ${counts.dlqInFlight} in flight; queue ` +
            `${counts.visible} visible, ${counts.inFlight} in flight, ${counts.delayed} delayed`,
          ...(letters.length > 0 ? ['', formatTable(letters, deadLetterColumns)] : []),
        ].join('\n'),
      );
      return 0;
    }
    case 'redrive': {
      const result = await ops.redrive(command.job, {
        dryRun: command.dryRun,
        rate: command.rate,
        filter: command.filter,
      });
      print(result, () => {
        if (result.moveTaskHandle !== undefined) {
          return (
            `Started a message move task for about ${result.approximateCount ?? '?'} message(s) ` +
            `from the ${command.job} DLQ to its queue (task handle ${result.moveTaskHandle})`
          );
        }
        const verb = result.dryRun ? 'Would move' : 'Moved';
        const head =
          `${verb} ${result.moved.length} message(s) from the ${command.job} DLQ to its ` +
          `queue${result.dryRun ? ' (dry run: nothing moved)' : ''}`;
        const table = result.moved.length > 0 ? ['', formatTable(result.moved, deadLetterColumns)] : [];
        const left = redriveLeftovers(result, command.job);
        return [head + (table.length > 0 ? ':' : ''), ...table, ...(left.length > 0 ? ['', ...left] : [])].join('\n');
      });
      return 0;
    }
    case 'backfill': {
      const result = await ops.backfill(command.job, {
        schedule: command.schedule,
        from: command.from,
        to: command.to,
        dryRun: command.dryRun,
      });
      print(result, () => formatBackfill(result));
      return 0;
    }
    case 'drift': {
      // As cdk does: -c over cdk.json.
      const context = { ...readCdkContext(options.root ?? process.cwd()), ...command.context };
      const report = await ops.drift(context, command.job);
      print(report, () => formatDrift(report));
      return report.drifted > 0 ? DRIFT_EXIT_CODE : 0;
    }
    case 'health': {
      const report = await ops.health(command.windowMs);
      print(report, () => formatHealth(report));
      return HEALTH_EXIT_CODE[report.state];
    }
  }
}
