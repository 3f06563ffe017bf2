import { assertTimeZone } from '@serverless-jobs/runtime/cron';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import {
  formatDate,
  formatMonth,
  type LocalDate,
  localDate,
  localDateOf,
  startOfLocalDay,
} from '#shared/reports/zoned-time';

export type ReportKind = 'daily' | 'monthly';

/** The stretch of time a report covers: [start, end) as instants, for a local day or month. */
export interface ReportPeriod {
  readonly kind: ReportKind;
  /** `yyyy-mm-dd` for a day, `yyyy-mm` for a month, in the report's zone. */
  readonly label: string;
  readonly timeZone: string;
  readonly start: Date;
  readonly end: Date;
}

export interface PeriodRequest {
  readonly kind: ReportKind;
  /** An explicit `yyyy-mm-dd` (daily) or `yyyy-mm` (monthly); otherwise the previous one before `reference`. */
  readonly explicit?: string;
  /** The instant the report is for: the schedule occurrence, or now for a manual run. */
  readonly reference: Date;
  readonly timeZone: string;
}

function parseExplicit(kind: ReportKind, value: string): LocalDate {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3] ?? 1)];
  const date = localDate(year, month, day);
  const wantsDay = kind === 'daily';
  // The payload schema checks the shape; this also refuses days that roll over, such as 2026-02-30.
  if (!match || wantsDay !== (match[3] !== undefined) || date.month !== month || date.day !== day) {
    throw new PermanentJobError(
      `A ${kind} report needs a ${wantsDay ? 'date yyyy-mm-dd' : 'month yyyy-mm'} (given "${value}")`,
    );
  }
  return date;
}

/**
 * The zone's name as the runtime spells it (`europe/berlin` and `Etc/UTC` become `Europe/Berlin` and `UTC`), so
 * one zone has one report ID. UTC is taken as given: loading the zone data costs a cold start about 30 ms.
 */
function canonicalZone(timeZone: string): string {
  try {
    assertTimeZone(timeZone);
  } catch (error) {
    throw new PermanentJobError((error as Error).message, { cause: error });
  }
  return timeZone === 'UTC' ? timeZone : new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
}

/** The period a report covers, DST-correct in its time zone. */
export function resolvePeriod(request: PeriodRequest): ReportPeriod {
  const { kind } = request;
  const timeZone = canonicalZone(request.timeZone);
  const today = localDateOf(request.reference, timeZone);
  if (kind === 'daily') {
    const day = request.explicit
      ? parseExplicit(kind, request.explicit)
      : localDate(today.year, today.month, today.day - 1);
    const next = localDate(day.year, day.month, day.day + 1);
    return {
      kind,
      label: formatDate(day),
      timeZone,
      start: startOfLocalDay(day, timeZone),
      end: startOfLocalDay(next, timeZone),
    };
  }
  const month = request.explicit ? parseExplicit(kind, request.explicit) : localDate(today.year, today.month - 1, 1);
  const next = localDate(month.year, month.month + 1, 1);
  return {
    kind,
    label: formatMonth(month),
    timeZone,
    start: startOfLocalDay(month, timeZone),
    end: startOfLocalDay(next, timeZone),
  };
}

/**
 * `<kind>/<label>/<zone>`, e.g. `daily/2026-12-03/Europe/Berlin`: the same date in another zone is another
 * period, so it is another report; a rerun of the same period replaces its report.
 */
export const reportIdOf = (period: ReportPeriod): string => `${period.kind}/${period.label}/${period.timeZone}`;

/** Every UTC date `yyyy-mm-dd` that [start, end) touches. */
export function utcDaysOverlapping(start: Date, end: Date): string[] {
  const days: string[] = [];
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  while (cursor.getTime() < end.getTime()) {
    days.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}
