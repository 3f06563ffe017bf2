import { wallTime } from '@serverless-jobs/runtime/cron';

/** A calendar date with a 1-based month, independent of any zone. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const wall = new Date(wallTime(instant.getTime(), timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** Normalises overflow, so day 0 or month 13 roll into the neighbouring month or year. */
export function localDate(year: number, month: number, day: number): LocalDate {
  const date = new Date(Date.UTC(year, month - 1, day));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const sameDate = (a: LocalDate, b: LocalDate): boolean => a.year === b.year && a.month === b.month && a.day === b.day;

/**
 * The first instant of `date` in `timeZone`. The zone's offset is read at two candidate instants,
 * because the offset at local midnight can differ from the one a day's start is guessed with
 * (DST). Where midnight falls in a DST gap, the day starts at the first existing local time.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const naive = Date.UTC(date.year, date.month - 1, date.day);
  const first = naive - (wallTime(naive, timeZone) - naive);
  const second = naive - (wallTime(first, timeZone) - first);
  const candidates = [first, second].filter((millis) => sameDate(localDateOf(new Date(millis), timeZone), date));
  // Both candidates landing on the previous day means midnight was skipped: the day starts at the switch.
  const start = candidates.length > 0 ? Math.min(...candidates) : Math.max(first, second);
  return new Date(start);
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `yyyy-mm-dd` */
export const formatDate = (date: LocalDate): string => `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;

/** `yyyy-mm` */
export const formatMonth = (date: LocalDate): string => `${pad(date.year, 4)}-${pad(date.month)}`;
