import { describe, expect, it } from 'vitest';
import { nextFiring } from '@serverless-jobs/runtime/cron';
import { parseScheduleExpression } from '@serverless-jobs/runtime/cron';

/**
 * Known answers for AWS's own cron examples, evaluated in UTC from fixed starts.
 * The expressions come from the example tables of
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html (cron expressions,
 * Examples) and   https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (cron-based schedules),
 * and, for L, W, # and the year field, from the wildcard descriptions on those pages ("3W", "3#2", "L"); the expected
 * instants were worked out by hand from a calendar (2026-11-24 is a Tuesday).
 */
function next(expression: string, from: string, count: number): string[] {
  return nextFiring({ expression, timeZone: 'UTC' }, new Date(from), count).map((o) =>
    o.at.toISOString().replace(/:00\.000Z$/, 'Z'),
  );
}

describe('AWS cron examples: the next UTC occurrences', () => {
  it.each([
    [
      'cron(0 10 * * ? *)',
      'every day at 10:00',
      '2026-11-24T08:00:00Z',
      ['2026-11-24T10:00Z', '2026-11-25T10:00Z', '2026-11-26T10:00Z'],
    ],
    [
      'cron(15 12 * * ? *)',
      'every day at 12:15',
      '2026-11-24T12:15:00Z',
      ['2026-11-25T12:15Z', '2026-11-26T12:15Z', '2026-11-27T12:15Z'],
    ],
    [
      'cron(0 18 ? * MON-FRI *)',
      'at 18:00 Monday to Friday',
      '2026-11-26T19:00:00Z',
      ['2026-11-27T18:00Z', '2026-11-30T18:00Z', '2026-12-01T18:00Z'],
    ],
    [
      'cron(0 8 1 * ? *)',
      'at 08:00 on the 1st of each month',
      '2026-11-24T08:00:00Z',
      ['2026-12-01T08:00Z', '2027-01-01T08:00Z', '2027-02-01T08:00Z'],
    ],
    [
      'cron(0/15 * * * ? *)',
      'every 15 minutes',
      '2026-11-24T08:00:00Z',
      ['2026-11-24T08:15Z', '2026-11-24T08:30Z', '2026-11-24T08:45Z', '2026-11-24T09:00Z'],
    ],
    [
      'cron(0/10 * ? * MON-FRI *)',
      'every 10 minutes Monday to Friday',
      '2026-11-27T23:40:00Z',
      ['2026-11-27T23:50Z', '2026-11-30T00:00Z', '2026-11-30T00:10Z'],
    ],
    [
      'cron(0/5 8-17 ? * MON-FRI *)',
      'every 5 minutes, 08:00-17:55, Monday to Friday',
      '2026-11-24T17:50:00Z',
      ['2026-11-24T17:55Z', '2026-11-25T08:00Z', '2026-11-25T08:05Z'],
    ],
    [
      'cron(0 9 ? * 2#1 *)',
      'the first Monday of the month at 09:00',
      '2026-11-24T08:00:00Z',
      ['2026-12-07T09:00Z', '2027-01-04T09:00Z', '2027-02-01T09:00Z'],
    ],
    [
      'cron(0 9 ? * 3#2 *)',
      'the second Tuesday of the month ("3#2")',
      '2026-11-24T08:00:00Z',
      ['2026-12-08T09:00Z', '2027-01-12T09:00Z', '2027-02-09T09:00Z'],
    ],
    [
      'cron(0 0 L * ? *)',
      'the last day of the month',
      '2026-11-24T08:00:00Z',
      ['2026-11-30T00:00Z', '2026-12-31T00:00Z', '2027-01-31T00:00Z', '2027-02-28T00:00Z'],
    ],
    [
      'cron(0 0 ? * 6L *)',
      'the last Friday of the month',
      '2026-11-24T08:00:00Z',
      ['2026-11-27T00:00Z', '2026-12-25T00:00Z', '2027-01-29T00:00Z', '2027-02-26T00:00Z'],
    ],
    [
      'cron(0 0 ? * L *)',
      'L alone in day-of-week: the last day of the week, Saturday',
      '2026-11-24T08:00:00Z',
      ['2026-11-28T00:00Z', '2026-12-05T00:00Z'],
    ],
    // 2027-05-15 is a Saturday (Friday the 14th is nearer), 2027-08-15 a Sunday (Monday the 16th).
    [
      'cron(0 12 15W * ? *)',
      'the weekday nearest the 15th',
      '2027-04-20T00:00:00Z',
      ['2027-05-14T12:00Z', '2027-06-15T12:00Z', '2027-07-15T12:00Z', '2027-08-16T12:00Z'],
    ],
    // 2027-05-01 is a Saturday: W does not leave the month, so Monday the 3rd, not Friday 30 April.
    [
      'cron(0 0 1W * ? *)',
      'the weekday nearest the 1st',
      '2027-04-20T00:00:00Z',
      ['2027-05-03T00:00Z', '2027-06-01T00:00Z', '2027-07-01T00:00Z'],
    ],
    [
      'cron(0 0 LW * ? *)',
      'the last weekday of the month',
      '2026-11-24T08:00:00Z',
      ['2026-11-30T00:00Z', '2026-12-31T00:00Z', '2027-01-29T00:00Z', '2027-02-26T00:00Z'],
    ],
    [
      'cron(0 10 * * ? 2027-2028)',
      'daily at 10:00 in 2027 and 2028 only',
      '2026-11-24T08:00:00Z',
      ['2027-01-01T10:00Z', '2027-01-02T10:00Z', '2027-01-03T10:00Z'],
    ],
    ['cron(0 10 * * ? 2027-2028)', 'nothing after 2028', '2028-12-31T10:00:00Z', []],
    [
      'cron(0 0/6 * * ? *)',
      'every 6 hours',
      '2026-11-24T08:00:00Z',
      ['2026-11-24T12:00Z', '2026-11-24T18:00Z', '2026-11-25T00:00Z'],
    ],
  ])('%s (%s)', (expression, _meaning, from, expected) => {
    expect(next(expression, from, expected.length === 0 ? 3 : expected.length)).toEqual(expected);
  });
});

describe('AWS cron examples croner refused: wrapped ranges', () => {
  // AWS's table has cron(0/30 20-2 ? * MON-FRI *), described as "every 30 minutes Monday through Friday between
  // 10:00 pm on the starting day to 2:00 am on the following day" (the expression's 20 is 8 pm). croner refused
  // a range that wraps around; it is unrolled now. Each field is matched on its own, as in Quartz: Saturday
  // 00:00-02:30 does not match MON-FRI, Monday 00:00-02:30 does, and 02:30 is in hour 2.
  it('cron(0/30 20-2 ? * MON-FRI *) fires 20:00-02:30 on weekdays, hour by hour', () => {
    expect(next('cron(0/30 20-2 ? * MON-FRI *)', '2026-11-27T23:00:00Z', 8)).toEqual([
      '2026-11-27T23:30Z',
      '2026-11-30T00:00Z',
      '2026-11-30T00:30Z',
      '2026-11-30T01:00Z',
      '2026-11-30T01:30Z',
      '2026-11-30T02:00Z',
      '2026-11-30T02:30Z',
      '2026-11-30T20:00Z',
    ]);
  });

  it('wraps day-of-week and month names (FRI-MON, NOV-FEB) and counts a step across the wrap (22-3/2)', () => {
    expect(next('cron(0 12 ? * FRI-MON *)', '2026-11-24T08:00:00Z', 5)).toEqual([
      '2026-11-27T12:00Z',
      '2026-11-28T12:00Z',
      '2026-11-29T12:00Z',
      '2026-11-30T12:00Z',
      '2026-12-04T12:00Z',
    ]);
    expect(next('cron(0 12 1 NOV-FEB ? *)', '2026-11-24T08:00:00Z', 4)).toEqual([
      '2026-12-01T12:00Z',
      '2027-01-01T12:00Z',
      '2027-02-01T12:00Z',
      '2027-11-01T12:00Z',
    ]);
    expect(next('cron(0 22-3/2 * * ? *)', '2026-11-24T08:00:00Z', 4)).toEqual([
      '2026-11-24T22:00Z',
      '2026-11-25T00:00Z',
      '2026-11-25T02:00Z',
      '2026-11-25T22:00Z',
    ]);
  });
});

describe('Function: parseScheduleExpression', () => {
  it('refuses L-<n>, which croner cannot evaluate and AWS does not document, with a clear error', () => {
    expect(() => parseScheduleExpression('cron(0 0 L-2 * ? *)')).toThrow(
      'Invalid day-of-month field "L-2" in "cron(0 0 L-2 * ? *)": "L-2" (days before the last) is ' +
        "not in AWS's documented syntax",
    );
  });

  it('refuses a year range that runs backwards', () => {
    expect(() => parseScheduleExpression('cron(0 0 1 1 ? 2028-2027)')).toThrow(
      'Invalid year field "2028-2027" in "cron(0 0 1 1 ? 2028-2027)": the range "2028-2027" runs backwards',
    );
  });
});
