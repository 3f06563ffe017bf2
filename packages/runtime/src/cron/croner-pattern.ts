import { Cron } from 'croner';
import {
  cronFieldBounds,
  cronFieldValue,
  type ScheduleExpression,
  ScheduleExpressionError,
} from './schedule-syntax.ts';

type CronExpression = Extract<ScheduleExpression, { kind: 'cron' }>;

const WRAPPED_RANGE = /^([0-9A-Za-z]+)-([0-9A-Za-z]+)(?:\/(\d+))?$/;

/**
 * One part of a field in croner's terms. AWS (Quartz) lets a range wrap around, `20-2` in hours or `FRI-MON`
 * in day-of-week, which croner refuses, so a wrapped range is unrolled into a list, its step counted across
 * the wrap (`22-3/2` in hours: 22,0,2). `L` alone in day-of-week is the week's last day, Saturday (7).
 */
function cronerPart(part: string, field: number): string {
  if (field === 4 && part.toUpperCase() === 'L') return '7';
  const match = WRAPPED_RANGE.exec(part);
  const bounds = cronFieldBounds(field);
  if (!match || !bounds) return part;
  const from = cronFieldValue(match[1]!, field);
  const to = cronFieldValue(match[2]!, field);
  if (from === undefined || to === undefined || from <= to) return part;
  const cycle = bounds.max - bounds.min + 1;
  const step = Number(match[3] ?? 1);
  const values: number[] = [];
  for (let position = from; position <= to + cycle; position += step)
    values.push(bounds.min + ((position - bounds.min) % cycle));
  return values.join(',');
}

/**
 * A paused croner job for an AWS cron, evaluated in UTC (on wall times: see occurrences.ts); throws a
 * ScheduleExpressionError that quotes the expression when croner cannot evaluate it.
 */
export function cronerFor(expression: CronExpression): Cron {
  // AWS: m h dom mon dow year, 1 = Sunday. croner's 7-part form adds seconds first; Quartz weekdays match AWS.
  const fields = expression.fields.map((raw, field) =>
    field === 5
      ? raw
      : raw
          .split(',')
          .map((part) => cronerPart(part, field))
          .join(','),
  );
  try {
    // utcOffset 0 rather than timezone 'UTC': the same times, without croner's Intl calls (4× faster).
    return new Cron(['0', ...fields].join(' '), {
      utcOffset: 0,
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      paused: true,
    });
  } catch (error) {
    throw new ScheduleExpressionError(`Invalid cron expression "${expression.source}": ${(error as Error).message}`);
  }
}
