import { Cron } from 'croner';
import { type ScheduleExpression, ScheduleExpressionError, assertTimeZone, parseScheduleSyntax } from '#shared/cron/schedule-syntax';

export { type ScheduleExpression, ScheduleExpressionError, assertTimeZone };

/**
 * Parses `cron(...)`, `rate(...)` or `at(...)` against AWS's syntax table, then has croner check a cron as a
 * second opinion on anything the table lets through; throws a ScheduleExpressionError that quotes the value.
 */
export function parseScheduleExpression(source: string): ScheduleExpression {
  const parsed = parseScheduleSyntax(source);
  if (parsed.kind === 'cron') toCroner(parsed, 'UTC');
  return parsed;
}

function toCroner(expression: Extract<ScheduleExpression, { kind: 'cron' }>, timeZone: string): Cron {
  // AWS: m h dom mon dow year, 1 = Sunday. croner's 7-part form adds seconds first; Quartz weekdays match AWS.
  const pattern = ['0', ...expression.fields].join(' ');
  try {
    return new Cron(pattern, { timezone: timeZone, mode: '7-part', alternativeWeekdays: true, sloppyRanges: true, paused: true });
  } catch (error) {
    throw new ScheduleExpressionError(`Invalid cron expression "${expression.source}": ${(error as Error).message}`);
  }
}

/**
 * The next `count` occurrences strictly after `after`, as UTC dates.
 * Rate schedules are anchored at `anchor` (when the schedule was created), as AWS anchors them.
 */
export function nextOccurrences(source: string, timeZone: string, after: Date, count: number, anchor = new Date(0)): Date[] {
  const expression = parseScheduleExpression(source);
  assertTimeZone(timeZone);
  if (expression.kind === 'cron') return toCroner(expression, timeZone).nextRuns(count, after);
  if (expression.kind === 'rate') {
    const stepMs = expression.value * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[expression.unit];
    const first = anchor.getTime() + (Math.floor((after.getTime() - anchor.getTime()) / stepMs) + 1) * stepMs;
    return Array.from({ length: count }, (_, i) => new Date(first + i * stepMs));
  }
  const once = new Cron(expression.localTime, { timezone: timeZone, paused: true }).nextRun(after);
  return once ? [once] : [];
}
