import { assertTimeZone, parseScheduleExpression, ScheduleExpressionError } from '@serverless-jobs/runtime/cron';
import { OpsInputError } from './errors.ts';
import type { ScheduleRef } from './ops-types.ts';

/**
 * Refuses a schedule change that could not run: a one-time `at(...)`, an unknown expression or zone, or a
 * time zone on an EventBridge rule, which runs in UTC only. The message quotes the value given.
 */
export function assertScheduleChange(job: string, ref: ScheduleRef, expression: string, timeZone: string): void {
  try {
    if (parseScheduleExpression(expression).kind === 'at') {
      throw new ScheduleExpressionError(`A job schedule recurs: use cron(...) or rate(...) (given "${expression}")`);
    }
    assertTimeZone(timeZone);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw new OpsInputError(error.message, { cause: error });
    throw error;
  }
  if (ref.via === 'rule' && timeZone !== 'UTC') {
    throw new OpsInputError(
      `${job}/${ref.schedule} is an EventBridge rule, which runs in UTC only (given time zone "${timeZone}")`,
    );
  }
}
