import { nextFiring, type Occurrence, occurrencesBetween, type ScheduleSpec } from '@serverless-jobs/runtime/cron';
import { nextOccurrences, parseScheduleExpression } from '@serverless-jobs/runtime/cron';
import { formatWall, utcOffsetMinutes, wallTime } from '@serverless-jobs/runtime/cron';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { DeployedSchedule, ScheduleView } from './ops-types.ts';

export { utcOffsetMinutes };

/** Occurrences listed per schedule by `list`. */
export const NEXT_OCCURRENCES = 3;
/** Occurrences `jobs next` and the dashboard list per schedule, by default and at the most. */
export const UPCOMING_OCCURRENCES = { default: 5, max: 100 } as const;
/** Far enough that `occurrencesBetween` stops at its limit instead (the year 275760). */
const END_OF_TIME = new Date(8.64e15);

const MINUTE = 60_000;
/** How far back the last due occurrence is searched: a yearly cron is the rarest AWS schedule worth checking. */
const LOOKBACKS_MS = [2 * MINUTE, 60 * MINUTE, 24 * 60 * MINUTE, 32 * 24 * 60 * MINUTE, 367 * 24 * 60 * MINUTE];

/** `UTC+2`, `UTC-3:30`, `UTC`. */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const rest = abs % 60;
  return `UTC${sign}${Math.floor(abs / 60)}${rest === 0 ? '' : `:${String(rest).padStart(2, '0')}`}`;
}

/** The calendar date of `at` in `zone`, `yyyy-mm-dd`. */
export function localDate(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );
}

/**
 * A note for each change of UTC offset between consecutive occurrences, dated by the local day the change
 * happens on (found between the two): `2027-03-28: Europe/Berlin moves to UTC+2`. A daily 02:30 job runs an
 * hour apart from the day before in UTC after it, which is what an operator needs to know.
 */
export function dstShifts(occurrences: readonly Date[], zone: string): string[] {
  const notes: string[] = [];
  for (let i = 1; i < occurrences.length; i++) {
    const before = utcOffsetMinutes(occurrences[i - 1]!, zone);
    const after = utcOffsetMinutes(occurrences[i]!, zone);
    if (before !== after)
      notes.push(
        `${localDate(offsetChange(occurrences[i - 1]!, occurrences[i]!, zone), zone)}: ${zone} moves ` +
          `to ${formatOffset(after)}`,
      );
  }
  return notes;
}

/** The first minute, between two instants with different UTC offsets, that has the later offset: the change itself. */
function offsetChange(before: Date, after: Date, zone: string): Date {
  const target = utcOffsetMinutes(after, zone);
  let [low, high] = [before.getTime(), after.getTime()];
  while (high - low > 60_000) {
    const middle = low + Math.floor((high - low) / 2);
    if (utcOffsetMinutes(new Date(middle), zone) === target) high = middle;
    else low = middle;
  }
  return new Date(high);
}

/**
 * The flag for an occurrence a DST change touches, or undefined:
 * `DST gap: 02:30 does not exist, skipped (EventBridge)`, `DST gap: shifted to 03:00`,
 * `DST repeat: 02:30 happens twice, runs once (the first)`.
 */
export function dstFlag(
  occurrence: { readonly at: string | Date; readonly local: string; readonly dst?: Occurrence['dst'] },
  zone: string,
): string | undefined {
  const named = occurrence.local.slice(11);
  switch (occurrence.dst) {
    case 'gap-skipped':
      return `DST gap: ${named} does not exist, skipped (EventBridge)`;
    case 'gap-shifted':
      return `DST gap: shifted to ${formatWall(wallTime(new Date(occurrence.at).getTime(), zone)).slice(11)}`;
    case 'repeated-once':
      return `DST repeat: ${named} happens twice, runs once (the first)`;
    default:
      return undefined;
  }
}

/**
 * What `list` and `jobs next` show for one schedule: its deployed state and expression, where it fires next
 * (under the declared dstGap), and the next `count` occurrences with their DST notes, skipped ones included.
 */
export function scheduleView(
  job: string,
  schedule: JobDeclaration['schedules'][number],
  deployed: DeployedSchedule,
  now: Date,
  count = NEXT_OCCURRENCES,
): ScheduleView {
  // A rate counts from its anchor (its creation on AWS, the runner's start or last update locally), when known.
  const anchor = deployed.rateAnchor === undefined ? undefined : new Date(deployed.rateAnchor);
  const spec: ScheduleSpec = {
    expression: deployed.expression,
    timeZone: deployed.timeZone,
    dstGap: schedule.dstGap,
    anchor,
  };
  const enabled = deployed.state === 'ENABLED';
  const next = enabled ? safely(() => nextFiring(spec, now, count).map((o) => o.at)) : [];
  const upcoming = enabled ? safely(() => occurrencesBetween(spec, now, END_OF_TIME, count)) : [];
  return {
    job,
    name: schedule.name,
    expression: deployed.expression,
    timeZone: deployed.timeZone,
    via: schedule.via,
    state: deployed.state,
    next: next.map((date) => date.toISOString()),
    upcoming: upcoming.map(({ at, local, dst }) =>
      dst ? { at: at.toISOString(), local, dst } : { at: at.toISOString(), local },
    ),
    dstShifts: dstShifts(next, deployed.timeZone),
  };
}

/**
 * A deployed expression this code cannot evaluate (an AWS feature it lacks) shows no occurrences rather than failing
 * `list`.
 */
function safely<T>(list: () => T[]): T[] {
  try {
    return list();
  } catch {
    return [];
  }
}

/**
 * The latest occurrence at or before `now` of a cron or one-time schedule; undefined for a rate (AWS
 * anchors it at creation, which is not known here) or when there was none in the last year.
 */
export function lastDueOccurrence(expression: string, zone: string, now: Date): Date | undefined {
  const kind = parseScheduleExpression(expression).kind;
  if (kind === 'rate') return undefined;
  for (const lookback of LOOKBACKS_MS) {
    let [candidate] = nextOccurrences(expression, zone, new Date(now.getTime() - lookback), 1);
    if (!candidate || candidate.getTime() > now.getTime()) continue;
    for (;;) {
      const [following] = nextOccurrences(expression, zone, candidate, 1);
      if (!following || following.getTime() > now.getTime()) return candidate;
      candidate = following;
    }
  }
  return undefined;
}

/**
 * The context key of a schedule: `schedule.cleanup` for a job's only schedule, `schedule.<job>.<schedule>` otherwise.
 */
export function contextKey(kind: 'schedule' | 'timezone', job: JobDeclaration, schedule: string): string {
  return job.schedules.length === 1 ? `${kind}.${job.name}` : `${kind}.${job.name}.${schedule}`;
}

/** The lines to add to cdk.json's `context` so the next deploy keeps a schedule change. */
export function contextLines(job: JobDeclaration, schedule: string, expression: string, timeZone: string): string[] {
  const declared = job.schedules.find((s) => s.name === schedule);
  const lines = [`${JSON.stringify(contextKey('schedule', job, schedule))}: ${JSON.stringify(expression)}`];
  if (declared?.timeZone !== timeZone)
    lines.push(`${JSON.stringify(contextKey('timezone', job, schedule))}: ${JSON.stringify(timeZone)}`);
  return lines;
}
