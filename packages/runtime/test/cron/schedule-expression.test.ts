import { describe, expect, it } from 'vitest';
import { nextOccurrences, parseScheduleExpression } from '@serverless-jobs/runtime/cron';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
const FROM = new Date('2026-11-24T08:00:00Z');

describe('Function: nextOccurrences', () => {
  it('evaluates a cron in its time zone', () => {
    expect(iso(nextOccurrences('cron(0 2 * * ? *)', 'Europe/Berlin', FROM, 2))).toEqual([
      '2026-11-25T01:00:00.000Z',
      '2026-11-26T01:00:00.000Z',
    ]);
    expect(iso(nextOccurrences('cron(0 6 * * ? *)', 'America/New_York', FROM, 1))).toEqual([
      '2026-11-24T11:00:00.000Z',
    ]);
  });

  it('reads AWS weekday numbers (1 = Sunday), L, # and the year field', () => {
    expect(iso(nextOccurrences('cron(0 9 ? * 2 *)', 'UTC', FROM, 1))).toEqual(['2026-11-30T09:00:00.000Z']); // Monday
    expect(iso(nextOccurrences('cron(0 0 L * ? *)', 'UTC', FROM, 1))).toEqual(['2026-11-30T00:00:00.000Z']);
    // The first Friday.
    expect(iso(nextOccurrences('cron(0 12 ? * 6#1 *)', 'UTC', FROM, 1))).toEqual(['2026-12-04T12:00:00.000Z']);
    expect(iso(nextOccurrences('cron(0 0 1 1 ? 2028)', 'UTC', FROM, 1))).toEqual(['2028-01-01T00:00:00.000Z']);
  });

  it('runs the monthly report at 00:00 on the 1st', () => {
    expect(iso(nextOccurrences('cron(0 0 1 * ? *)', 'UTC', FROM, 2))).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('steps a rate from its anchor', () => {
    expect(iso(nextOccurrences('rate(5 minutes)', 'UTC', FROM, 2))).toEqual([
      '2026-11-24T08:05:00.000Z',
      '2026-11-24T08:10:00.000Z',
    ]);
  });
});

describe('Function: parseScheduleExpression', () => {
  it.each([
    ['cron(0 2 * * * *)', 'exactly one of day-of-month ("*") and day-of-week ("*") must be "?"'],
    ['cron(0 2 * * ?)', 'expected 6 fields'],
    ['cron(60 2 * * ? *)', 'Invalid minutes field "60"'],
    ['cron(0 2 ? * 9 *)', 'Invalid day-of-week field "9"'],
    ['rate(0 minutes)', 'the value must be at least 1'],
    ['rate(2 minute)', 'AWS wants "minutes/hours/days" for 2'],
    ['every day', 'expected cron(...), rate(...) or at(...)'],
  ])('refuses %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});
