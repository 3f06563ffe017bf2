import type { IsoRange } from '#shared/reports/report-store';
import { utcDaysOverlapping } from '#shared/reports/report-period';

const HOUR_MS = 3_600_000;

/**
 * The largest UTC offset an order's time may carry (UTC+14, the Line Islands; the lowest real one is UTC-12).
 * A written `processedAt` is its instant moved by at most this much, so it bounds how far to read past a period.
 */
export const MAX_OFFSET_MS = 14 * HOUR_MS;

/**
 * ISO 8601 extended format: date `T` time, seconds and fraction optional (`.` or `,`), then `Z` or an offset
 * `±hh:mm`, `±hhmm` or `±hh`. A time without a zone is refused: it names no instant.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** The instant `text` names, or undefined when it is not an ISO 8601 time with a zone that exists. */
export function parseOrderTime(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const field = (index: number): number => Number(match[index] ?? 0);
  const [hour, minute, second, offsetHours, offsetMinutes] = [field(4), field(5), field(6), field(10), field(11)];
  if (hour > 23 || minute > 59 || second > 59 || offsetMinutes > 59) return undefined;
  // `Z` leaves the offset's fields empty: 0.
  const offsetMs = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  if (Math.abs(offsetMs) > MAX_OFFSET_MS) return undefined;
  // Cut to milliseconds, never rounded: 23:59:59.9999 must stay in its day.
  const millis = Number((match[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const wall = new Date(0);
  wall.setUTCFullYear(field(1), field(2) - 1, field(3));
  // A day the month does not have (02-30) rolls over; that is a misread, not a time.
  if (wall.getUTCMonth() !== field(2) - 1 || wall.getUTCDate() !== field(3)) return undefined;
  wall.setUTCHours(hour, minute, second, millis);
  return new Date(wall.getTime() - offsetMs);
}

/** One Query of the orders' `byProcessedDay` index. */
export interface OrderRead {
  readonly processedDay: string;
  /** Bounds on `processedAt`; none reads the whole day, so an unreadable time is still seen. */
  readonly range?: IsoRange;
  /** A day the period overlaps in UTC: an unreadable time found here is this report's to report. */
  readonly own: boolean;
}

/** `yyyy-mm-ddThh`: as a bound, it sorts before every time of that hour, in any of the accepted forms. */
const hourOf = (millis: number): string => new Date(millis).toISOString().slice(0, 13);

/**
 * What to read for a period. The sort key is the time as written, up to 14 h from its instant when it has an
 * offset, and a writer may take `processedDay` from it too. So every day within 14 h of the period is read: the
 * days the period overlaps in UTC whole, so that an unreadable time there is seen, the others only in the hours
 * that could hold one of its instants. Whether an order counts is decided on its parsed time.
 */
export function orderReadsOf(period: { readonly start: Date; readonly end: Date }): OrderRead[] {
  const start = period.start.getTime();
  const end = period.end.getTime();
  const own = new Set(utcDaysOverlapping(period.start, period.end));
  // Bounds at whole hours: `to` an hour later, since every time in its hour sorts after the bare hour.
  const range: IsoRange = { from: hourOf(start - MAX_OFFSET_MS), to: hourOf(end + MAX_OFFSET_MS + HOUR_MS) };
  return utcDaysOverlapping(new Date(start - MAX_OFFSET_MS), new Date(end + MAX_OFFSET_MS)).map((processedDay) =>
    own.has(processedDay) ? { processedDay, own: true } : { processedDay, range, own: false },
  );
}
