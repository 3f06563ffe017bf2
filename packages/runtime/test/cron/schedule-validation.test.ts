import { describe, expect, it } from 'vitest';
import { nextOccurrences, parseScheduleExpression, parseScheduleSyntax } from '@serverless-jobs/runtime/cron';
import { defineJob, JobDeclarationError } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

/** The message a parse throws, or '' when it accepts the expression. */
function refusal(parse: (source: string) => unknown, source: string): string {
  try {
    parse(source);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('Function: parseScheduleSyntax (at)', () => {
  // Each refused value beside the nearest one that must still pass: the check is the calendar, not a guess.
  it.each([
    ['at(2026-02-30T10:00:00)', 'day 30 is outside 01-28: 2026-02 has 28 days', 'at(2026-02-28T10:00:00)'],
    ['at(2027-02-29T10:00:00)', 'day 29 is outside 01-28: 2027-02 has 28 days', 'at(2028-02-29T10:00:00)'],
    ['at(2100-02-29T10:00:00)', 'day 29 is outside 01-28: 2100-02 has 28 days', 'at(2000-02-29T10:00:00)'],
    ['at(2026-04-31T10:00:00)', 'day 31 is outside 01-30: 2026-04 has 30 days', 'at(2026-05-31T10:00:00)'],
    ['at(2026-01-00T10:00:00)', 'day 00 is outside 01-31: 2026-01 has 31 days', 'at(2026-01-01T10:00:00)'],
    ['at(2026-13-01T10:00:00)', 'month 13 is outside 01-12', 'at(2026-12-01T10:00:00)'],
    ['at(2026-00-10T10:00:00)', 'month 00 is outside 01-12', 'at(2026-01-10T10:00:00)'],
    ['at(2026-01-01T25:00:00)', 'hour 25 is outside 00-23', 'at(2026-01-01T23:00:00)'],
    ['at(2026-01-01T24:00:00)', 'hour 24 is outside 00-23', 'at(2026-01-01T00:00:00)'],
    ['at(2026-01-01T10:60:00)', 'minute 60 is outside 00-59', 'at(2026-01-01T10:59:00)'],
    ['at(2026-01-01T10:00:60)', 'second 60 is outside 00-59', 'at(2026-01-01T10:00:59)'],
  ])('refuses %s, quoting it (%s), and accepts %s', (source, why, neighbour) => {
    expect(refusal(parseScheduleSyntax, source)).toBe(`Invalid at expression "${source}": ${why}`);
    expect(refusal(parseScheduleExpression, source)).toBe(`Invalid at expression "${source}": ${why}`);
    expect(parseScheduleExpression(neighbour)).toEqual({
      kind: 'at',
      localTime: neighbour.slice(3, -1),
      source: neighbour,
    });
  });

  it('never rolls a date over: 29 February 2027 is refused, not run on 1 March', () => {
    expect(() => nextOccurrences('at(2027-02-29T10:00:00)', 'UTC', new Date('2027-01-01T00:00:00Z'), 1)).toThrow(
      'Invalid at expression "at(2027-02-29T10:00:00)"',
    );
    expect(nextOccurrences('at(2028-02-29T10:00:00)', 'UTC', new Date('2028-01-01T00:00:00Z'), 1)).toEqual([
      new Date('2028-02-29T10:00:00Z'),
    ]);
  });

  it('refuses the nonexistent date in a declaration, at defineJob, naming the job, schedule and value', () => {
    const declare = () =>
      defineJob({
        name: 'once',
        description: 'runs once',
        payload: z.object({}),
        schedules: [{ name: 'launch', expression: 'at(2026-02-30T10:00:00)', payload: {} }],
      });
    expect(declare).toThrow(JobDeclarationError);
    expect(declare).toThrow(
      'once: schedule "launch": Invalid at expression "at(2026-02-30T10:00:00)": day 30 is outside 01-28',
    );
  });
});

describe('Function: parseScheduleSyntax (cron), what defineJob checks without croner', () => {
  it.each([
    [
      'cron(*/0 * * * ? *)',
      'Invalid minutes field "*/0" in "cron(*/0 * * * ? *)": step "0" must be at least 1',
      'cron(*/1 * * * ? *)',
    ],
    [
      'cron(0 0 1 * ? 2027/0)',
      'Invalid year field "2027/0" in "cron(0 0 1 * ? 2027/0)": step "0" must be at least 1',
      'cron(0 0 1 * ? 2027/2)',
    ],
    [
      'cron(0/60 * * * ? *)',
      'Invalid minutes field "0/60" in "cron(0/60 * * * ? *)": step "60" is larger than 59',
      'cron(0/59 * * * ? *)',
    ],
    [
      'cron(0 0/24 * * ? *)',
      'Invalid hours field "0/24" in "cron(0 0/24 * * ? *)": step "24" is larger than 23',
      'cron(0 0/23 * * ? *)',
    ],
    ['cron(0 0 1/32 * ? *)', 'step "32" is larger than 31', 'cron(0 0 1/31 * ? *)'],
    ['cron(0 0 ? * 1/8 *)', 'step "8" is larger than 7', 'cron(0 0 ? * 1/7 *)'],
    [
      'cron(0 0 0W * ? *)',
      'Invalid day-of-month field "0W" in "cron(0 0 0W * ? *)": the day in "0W" is outside 1-31',
      'cron(0 0 1W * ? *)',
    ],
    ['cron(0 0 32W * ? *)', 'the day in "32W" is outside 1-31', 'cron(0 0 31W * ? *)'],
    [
      'cron(0 0 ?,5 * ? *)',
      'Invalid day-of-month field "?,5" in "cron(0 0 ?,5 * ? *)": "?" stands for no value',
      'cron(0 0 5 * ? *)',
    ],
    [
      'cron(0 0 5 * ?,2 *)',
      'Invalid day-of-week field "?,2" in "cron(0 0 5 * ?,2 *)": "?" stands for no value',
      'cron(0 0 ? * 2 *)',
    ],
    ['cron(0 0 L,15 * ? *)', '"L" (last) cannot be listed with other day-of-month values', 'cron(0 0 LW * ? *)'],
    ['cron(0 0 ? * 6L,2 *)', '"6L" (last) cannot be listed with other day-of-week values', 'cron(0 0 ? * 2,4,6 *)'],
    ['cron(0 0 ? * 2#1,3#2 *)', 'only one "#" (nth weekday of the month) is allowed', 'cron(0 0 ? * 6#3 *)'],
    [
      'cron(0 10 30 2 ? *)',
      'Invalid cron expression "cron(0 10 30 2 ? *)": it never fires: no month in "2" has day 30',
      'cron(0 10 29 2 ? *)',
    ],
    [
      'cron(0 10 31 APR,JUN ? *)',
      'it never fires: no month in "APR,JUN" has day 31 (the longest has 30)',
      'cron(0 10 31 1-3 ? *)',
    ],
    ['cron(0 10 31-31 9-11/2 ? *)', 'it never fires: no month in "9-11/2" has day 31', 'cron(0 10 31 NOV-JAN ? *)'],
  ])('refuses %s (%s), and accepts %s', (source, message, neighbour) => {
    expect(refusal(parseScheduleSyntax, source)).toContain(message);
    expect(refusal(parseScheduleExpression, source)).toContain(message);
    expect(refusal(parseScheduleSyntax, neighbour)).toBe('');
    expect(refusal(parseScheduleExpression, neighbour)).toBe('');
  });
});
