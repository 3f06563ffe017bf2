/**
 * When a schedule fires, as EventBridge Scheduler fires it: a cron names local wall times in its zone, and
 * each is mapped to the instant it happens. On a spring-forward day a time in the gap does not exist, and
 * EventBridge skips it; on a fall-back day a time happens twice, and EventBridge runs it once. A rate is a
 * fixed duration from its anchor (rate(1 day) is 24 h, whatever the clocks do). Pure: no I/O, no clock.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html ("Daylight savings time")
 */
import type { Cron } from 'croner';
import { cronerFor } from './croner-pattern.ts';
import { assertTimeZone, parseScheduleSyntax, type ScheduleExpression } from './schedule-syntax.ts';
import { formatWall, gapEnd, instantsOf, wallTime } from './wall-time.ts';

export type DstNote = 'gap-skipped' | 'gap-shifted' | 'repeated-once';

export interface Occurrence {
  /**
   * The UTC instant it fires. For 'gap-skipped' (which never fires) and 'gap-shifted': the end of the DST gap, i.e. the
   * next valid local time.
   */
  readonly at: Date;
  /**
   * The local wall time the expression named, `yyyy-mm-ddTHH:MM` (for a shifted one: the nonexistent time it
   * was named for).
   */
  readonly local: string;
  readonly dst?: DstNote;
}

export interface ScheduleSpec {
  /** `cron(...)`, `rate(...)` or `at(...)`; an `at` names one wall time and follows the same DST rules as a cron. */
  readonly expression: string;
  /** IANA zone the expression's wall times are in. */
  readonly timeZone: string;
  /**
   * What a wall time in a spring-forward gap does: `skip` (EventBridge) or `shift` to the end of the
   * gap. @default 'skip'
   */
  readonly dstGap?: 'skip' | 'shift';
  /** Rate schedules fire at anchor + k × period. @default new Date(0) */
  readonly anchor?: Date;
}

/** Occurrences listed at the most by `occurrencesBetween`, and scanned at the most by `nextFiring`. */
export const DEFAULT_LIMIT = 10_000;

/** Wall times are searched from this long before `after`'s own: a time just before it may still happen after it. */
const SEARCH_MARGIN_MS = 3 * 3_600_000;
const RATE_UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Every occurrence with after < at <= until, in time order, at most `limit` (default 10_000). Includes 'gap-skipped'
 * entries (they do not fire) so callers can count them.
 */
export function occurrencesBetween(spec: ScheduleSpec, after: Date, until: Date, limit = DEFAULT_LIMIT): Occurrence[] {
  const found: Occurrence[] = [];
  for (const occurrence of occurrencesAfter(spec, after.getTime())) {
    if (found.length >= limit || occurrence.at.getTime() > until.getTime()) break;
    found.push(occurrence);
  }
  return found;
}

/** The next `count` occurrences that fire (gap-skipped left out; gap-shifted in) strictly after `after`. */
export function nextFiring(spec: ScheduleSpec, after: Date, count: number): Occurrence[] {
  const found: Occurrence[] = [];
  let scanned = 0;
  for (const occurrence of occurrencesAfter(spec, after.getTime())) {
    if (found.length >= count || ++scanned > DEFAULT_LIMIT) break;
    if (occurrence.dst !== 'gap-skipped') found.push(occurrence);
  }
  return found;
}

/** Occurrences after `after` (epoch ms), in time order; validates the spec first. */
function occurrencesAfter(spec: ScheduleSpec, after: number): Iterable<Occurrence> {
  const expression = parseScheduleSyntax(spec.expression);
  assertTimeZone(spec.timeZone);
  if (expression.kind === 'rate')
    return rateOccurrences(expression, spec.timeZone, (spec.anchor ?? new Date(0)).getTime(), after);
  const from = wallTime(after, spec.timeZone) - SEARCH_MARGIN_MS;
  const walls =
    expression.kind === 'cron' ? cronWallTimes(cronerFor(expression), from) : onceWallTime(expression.localTime, from);
  const located = locate(walls, spec.timeZone, spec.dstGap ?? 'skip', after);
  return spec.dstGap === 'shift' ? collapseShifted(located) : located;
}

function* rateOccurrences(
  expression: Extract<ScheduleExpression, { kind: 'rate' }>,
  zone: string,
  anchor: number,
  after: number,
): Generator<Occurrence> {
  const period = expression.value * RATE_UNIT_MS[expression.unit];
  for (let k = Math.floor((after - anchor) / period) + 1; ; k++) {
    const at = anchor + k * period;
    yield { at: new Date(at), local: formatWall(wallTime(at, zone)) };
  }
}

/** The wall times a cron names strictly after `from` (a wall time), in order. */
function* cronWallTimes(cron: Cron, from: number): Generator<number> {
  // Evaluated in UTC on wall times, croner never sees a DST change: they are all handled in `locate`.
  for (let next = cron.nextRun(new Date(from)); next; next = cron.nextRun(next)) yield next.getTime();
}

/** A one-time schedule's wall time (`yyyy-mm-ddThh:mm:ss`), if it is after `from`. */
function onceWallTime(localTime: string, from: number): number[] {
  const wall = Date.parse(`${localTime}Z`);
  return wall > from ? [wall] : [];
}

/**
 * Each wall time as an occurrence in `zone`, dropping those at or before `after`. Instants never decrease as
 * wall times increase.
 */
function* locate(
  walls: Iterable<number>,
  zone: string,
  dstGap: 'skip' | 'shift',
  after: number,
): Generator<Occurrence> {
  for (const wall of walls) {
    const occurrence = occurrenceOf(wall, zone, dstGap);
    if (occurrence.at.getTime() > after) yield occurrence;
  }
}

function occurrenceOf(wall: number, zone: string, dstGap: 'skip' | 'shift'): Occurrence {
  const local = formatWall(wall);
  const [first, second] = instantsOf(wall, zone);
  if (first === undefined)
    return { at: new Date(gapEnd(wall, zone)), local, dst: dstGap === 'shift' ? 'gap-shifted' : 'gap-skipped' };
  // Clocks went back and the time happens twice: it runs at the first, as EventBridge runs it only once.
  return second === undefined ? { at: new Date(first), local } : { at: new Date(first), local, dst: 'repeated-once' };
}

/**
 * Shifted times fire exactly once: several in one gap, or one landing on a regular occurrence at the gap's
 * end, are one firing. The regular occurrence wins (EventBridge fires it, so nothing is shifted); otherwise
 * the first shifted time names it.
 */
function* collapseShifted(occurrences: Iterable<Occurrence>): Generator<Occurrence> {
  let pending: Occurrence | undefined;
  for (const occurrence of occurrences) {
    if (pending && pending.at.getTime() === occurrence.at.getTime()) {
      if (pending.dst === 'gap-shifted' && occurrence.dst !== 'gap-shifted') pending = occurrence;
      continue;
    }
    if (pending) yield pending;
    pending = occurrence;
  }
  if (pending) yield pending;
}
