import { cronerFor } from './croner-pattern.ts';
import { nextFiring } from './occurrences.ts';
import {
  type ScheduleExpression,
  ScheduleExpressionError,
  assertTimeZone,
  parseScheduleSyntax,
} from './schedule-syntax.ts';

export { type ScheduleExpression, ScheduleExpressionError, assertTimeZone };

/**
 * Parses `cron(...)`, `rate(...)` or `at(...)` against AWS's syntax table, then has croner check a cron as a
 * second opinion on anything the table lets through; throws a ScheduleExpressionError that quotes the value.
 */
export function parseScheduleExpression(source: string): ScheduleExpression {
  const parsed = parseScheduleSyntax(source);
  if (parsed.kind === 'cron') cronerFor(parsed);
  return parsed;
}

/**
 * The next `count` instants strictly after `after` at which EventBridge Scheduler fires the schedule: a
 * local time in a spring-forward gap is skipped, one that happens twice fires once (see `nextFiring`).
 * Rate schedules are anchored at `anchor` (when the schedule was created), as AWS anchors them.
 */
export function nextOccurrences(
  source: string,
  timeZone: string,
  after: Date,
  count: number,
  anchor = new Date(0),
): Date[] {
  return nextFiring({ expression: source, timeZone, anchor }, after, count).map((occurrence) => occurrence.at);
}
