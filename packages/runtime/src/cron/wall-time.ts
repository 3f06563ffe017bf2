/**
 * Wall time: what a zone's clocks show, held as the epoch milliseconds that date and time would be in UTC
 * (02:30 on 2027-03-28 in Berlin is `Date.UTC(2027, 2, 28, 2, 30)`), so that a cron can be evaluated on it
 * with plain UTC arithmetic and mapped to real instants afterwards.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * Where the offsets are read either side of a wall time: the instant it names lies within 14 h before it
 * (UTC+14) and 12 h after it (UTC-12), so probes 2 h beyond both bracket it. Zones change offset at most
 * once in such a span.
 */
const PROBE_BEFORE = 16 * HOUR;
const PROBE_AFTER = 14 * HOUR;

/** One formatter per zone: constructing one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let cached = formatters.get(zone);
  if (!cached) {
    const fields = {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    } as const;
    cached = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', ...fields });
    formatters.set(zone, cached);
  }
  return cached;
}

/** The wall time of `instant` (epoch ms) in `zone`. */
export function wallTime(instant: number, zone: string): number {
  if (zone === 'UTC') return instant;
  const part: Record<string, number> = {};
  for (const { type, value } of formatter(zone).formatToParts(instant)) part[type] = Number(value);
  const seconds = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
  return seconds + (((instant % 1000) + 1000) % 1000);
}

/** Minutes east of UTC that `zone` observes at `at` (Berlin in summer: 120). */
export function utcOffsetMinutes(at: Date, zone: string): number {
  return Math.round((wallTime(at.getTime(), zone) - at.getTime()) / MINUTE);
}

const offsetAt = (instant: number, zone: string): number => wallTime(instant, zone) - instant;

/**
 * The instants whose wall time in `zone` is `wall`, earlier first: one; two where clocks go back and the
 * time happens twice; none in the gap where clocks go forward.
 */
export function instantsOf(wall: number, zone: string): number[] {
  const before = offsetAt(wall - PROBE_BEFORE, zone);
  const after = offsetAt(wall + PROBE_AFTER, zone);
  const candidates =
    before === after ? [wall - before] : [wall - Math.max(before, after), wall - Math.min(before, after)];
  // Each candidate is checked: near UTC+13 a probe that missed the change would otherwise return a wrong instant.
  return candidates.filter((instant) => wallTime(instant, zone) === wall);
}

/**
 * For a wall time in a gap (see `instantsOf`), the instant the gap ends: the change of offset, whose wall
 * time is the first valid one after the gap (02:30 in Berlin on 2027-03-28: 01:00Z, which is 03:00 there).
 */
export function gapEnd(wall: number, zone: string): number {
  const before = offsetAt(wall - PROBE_BEFORE, zone);
  const after = offsetAt(wall + PROBE_AFTER, zone);
  // The change lies between the instant `wall` would be on the later offset and on the earlier one; offsets change
  // on a minute.
  let low = wall - after;
  let high = wall - before;
  while (high - low > MINUTE) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (offsetAt(middle, zone) === after) high = middle;
    else low = middle;
  }
  return high;
}

/** A wall time as `yyyy-mm-ddTHH:MM`. */
export function formatWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16);
}
