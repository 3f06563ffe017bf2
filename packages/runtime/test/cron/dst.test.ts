import { describe, expect, it } from 'vitest';
import { nextFiring, type Occurrence, occurrencesBetween, type ScheduleSpec } from '@serverless-jobs/runtime/cron';

/** `<UTC minute> <local wall time>[ <dst note>]`, one per occurrence, so a whole list compares at once. */
const row = (o: Occurrence): string =>
  [o.at.toISOString().slice(0, 16), o.local.slice(11), o.dst].filter(Boolean).join(' ');

function between(
  expression: string,
  timeZone: string,
  dstGap: ScheduleSpec['dstGap'],
  after: string,
  until: string,
): string[] {
  return occurrencesBetween({ expression, timeZone, dstGap }, new Date(after), new Date(until)).map(row);
}

const DAILY = 'cron(30 2 * * ? *)';
const HALF_HOURLY = 'cron(0/30 * * * ? *)';

describe('Function: occurrencesBetween', () => {
  describe(
    'Europe/Berlin: clocks go forward at 01:00Z on 2027-03-28 (02:00 CET → 03:00 CEST), back ' +
      'at 01:00Z on 2027-10-31',
    () => {
      it(
        'skips the daily 02:30 on the spring-forward day by default, and shifts it to 03:00 CEST with ' +
          'dstGap shift',
        () => {
          const [after, until] = ['2027-03-26T12:00:00Z', '2027-03-29T12:00:00Z'];
          expect(between(DAILY, 'Europe/Berlin', undefined, after, until)).toEqual([
            '2027-03-27T01:30 02:30',
            '2027-03-28T01:00 02:30 gap-skipped',
            '2027-03-29T00:30 02:30',
          ]);
          expect(between(DAILY, 'Europe/Berlin', 'shift', after, until)).toEqual([
            '2027-03-27T01:30 02:30',
            '2027-03-28T01:00 02:30 gap-shifted',
            '2027-03-29T00:30 02:30',
          ]);
        },
      );

      it('runs the daily 02:30 once on the fall-back day, at the first 02:30 (CEST)', () => {
        for (const dstGap of ['skip', 'shift'] as const) {
          expect(between(DAILY, 'Europe/Berlin', dstGap, '2027-10-29T12:00:00Z', '2027-11-01T12:00:00Z')).toEqual([
            '2027-10-30T00:30 02:30',
            '2027-10-31T00:30 02:30 repeated-once',
            '2027-11-01T01:30 02:30',
          ]);
        }
      });

      it(
        'every 30 minutes across the gap: 02:00 and 02:30 are skipped; shifted, they collapse into ' +
          'the 03:00 that fires anyway',
        () => {
          const [after, until] = ['2027-03-27T23:30:00Z', '2027-03-28T02:00:00Z'];
          expect(between(HALF_HOURLY, 'Europe/Berlin', 'skip', after, until)).toEqual([
            '2027-03-28T00:00 01:00',
            '2027-03-28T00:30 01:30',
            '2027-03-28T01:00 02:00 gap-skipped',
            '2027-03-28T01:00 02:30 gap-skipped',
            '2027-03-28T01:00 03:00',
            '2027-03-28T01:30 03:30',
            '2027-03-28T02:00 04:00',
          ]);
          expect(between(HALF_HOURLY, 'Europe/Berlin', 'shift', after, until)).toEqual([
            '2027-03-28T00:00 01:00',
            '2027-03-28T00:30 01:30',
            '2027-03-28T01:00 03:00',
            '2027-03-28T01:30 03:30',
            '2027-03-28T02:00 04:00',
          ]);
        },
      );

      it('two shifted times in one gap, with nothing at its end, fire once, named for the first', () => {
        const expression = 'cron(0/30 2 * * ? *)';
        expect(between(expression, 'Europe/Berlin', 'skip', '2027-03-28T00:00:00Z', '2027-03-28T12:00:00Z')).toEqual([
          '2027-03-28T01:00 02:00 gap-skipped',
          '2027-03-28T01:00 02:30 gap-skipped',
        ]);
        expect(between(expression, 'Europe/Berlin', 'shift', '2027-03-28T00:00:00Z', '2027-03-28T12:00:00Z')).toEqual([
          '2027-03-28T01:00 02:00 gap-shifted',
        ]);
      });

      it(
        'every 30 minutes across the repeat: 02:00 and 02:30 run once each, at their first (CEST) ' +
          'instants; the CET ones do not run',
        () => {
          expect(between(HALF_HOURLY, 'Europe/Berlin', 'skip', '2027-10-30T23:00:00Z', '2027-10-31T02:30:00Z')).toEqual(
            [
              '2027-10-30T23:30 01:30',
              '2027-10-31T00:00 02:00 repeated-once',
              '2027-10-31T00:30 02:30 repeated-once',
              '2027-10-31T02:00 03:00',
              '2027-10-31T02:30 03:30',
            ],
          );
        },
      );
    },
  );

  describe(
    'America/New_York: forward at 07:00Z on 2027-03-14 (02:00 EST → 03:00 EDT), back at ' +
      '06:00Z on 2027-11-07 (02:00 EDT → 01:00 EST)',
    () => {
      it('skips or shifts the daily 02:30 on the spring-forward day', () => {
        const [after, until] = ['2027-03-12T12:00:00Z', '2027-03-15T12:00:00Z'];
        expect(between(DAILY, 'America/New_York', 'skip', after, until)).toEqual([
          '2027-03-13T07:30 02:30',
          '2027-03-14T07:00 02:30 gap-skipped',
          '2027-03-15T06:30 02:30',
        ]);
        expect(between(DAILY, 'America/New_York', 'shift', after, until)).toEqual([
          '2027-03-13T07:30 02:30',
          '2027-03-14T07:00 02:30 gap-shifted',
          '2027-03-15T06:30 02:30',
        ]);
      });

      it('runs the daily 02:30 normally on the fall-back day: New York repeats 01:00-01:59, not 02:30', () => {
        expect(between(DAILY, 'America/New_York', 'skip', '2027-11-05T12:00:00Z', '2027-11-08T12:00:00Z')).toEqual([
          '2027-11-06T06:30 02:30',
          '2027-11-07T07:30 02:30',
          '2027-11-08T07:30 02:30',
        ]);
      });

      it('every 30 minutes across the gap and across the repeat', () => {
        expect(
          between(HALF_HOURLY, 'America/New_York', 'skip', '2027-03-14T06:00:00Z', '2027-03-14T07:30:00Z'),
        ).toEqual([
          '2027-03-14T06:30 01:30',
          '2027-03-14T07:00 02:00 gap-skipped',
          '2027-03-14T07:00 02:30 gap-skipped',
          '2027-03-14T07:00 03:00',
          '2027-03-14T07:30 03:30',
        ]);
        expect(
          between(HALF_HOURLY, 'America/New_York', 'shift', '2027-03-14T06:00:00Z', '2027-03-14T07:30:00Z'),
        ).toEqual(['2027-03-14T06:30 01:30', '2027-03-14T07:00 03:00', '2027-03-14T07:30 03:30']);
        // 01:00 and 01:30 EST (06:00Z, 06:30Z) are the repeats that do not run.
        expect(
          between(HALF_HOURLY, 'America/New_York', 'skip', '2027-11-07T04:30:00Z', '2027-11-07T07:00:00Z'),
        ).toEqual([
          '2027-11-07T05:00 01:00 repeated-once',
          '2027-11-07T05:30 01:30 repeated-once',
          '2027-11-07T07:00 02:00',
        ]);
      });
    },
  );

  describe(
    'Australia/Sydney (southern hemisphere): back at 16:00Z on 2027-04-03 (03:00 AEDT → 02:00 ' +
      'AEST), forward at 16:00Z on 2027-10-02 (02:00 AEST → 03:00 AEDT)',
    () => {
      it('runs the daily 02:30 once in April, at the first 02:30 (AEDT)', () => {
        expect(between(DAILY, 'Australia/Sydney', 'skip', '2027-04-02T00:00:00Z', '2027-04-05T00:00:00Z')).toEqual([
          '2027-04-02T15:30 02:30',
          '2027-04-03T15:30 02:30 repeated-once',
          '2027-04-04T16:30 02:30',
        ]);
      });

      it('skips or shifts the daily 02:30 in October', () => {
        const [after, until] = ['2027-10-01T00:00:00Z', '2027-10-04T00:00:00Z'];
        expect(between(DAILY, 'Australia/Sydney', 'skip', after, until)).toEqual([
          '2027-10-01T16:30 02:30',
          '2027-10-02T16:00 02:30 gap-skipped',
          '2027-10-03T15:30 02:30',
        ]);
        expect(between(DAILY, 'Australia/Sydney', 'shift', after, until)).toEqual([
          '2027-10-01T16:30 02:30',
          '2027-10-02T16:00 02:30 gap-shifted',
          '2027-10-03T15:30 02:30',
        ]);
      });

      it('every 30 minutes across the repeat and across the gap', () => {
        expect(
          between(HALF_HOURLY, 'Australia/Sydney', 'skip', '2027-04-03T14:30:00Z', '2027-04-03T17:00:00Z'),
        ).toEqual([
          '2027-04-03T15:00 02:00 repeated-once',
          '2027-04-03T15:30 02:30 repeated-once',
          '2027-04-03T17:00 03:00',
        ]);
        expect(
          between(HALF_HOURLY, 'Australia/Sydney', 'skip', '2027-10-02T15:00:00Z', '2027-10-02T16:30:00Z'),
        ).toEqual([
          '2027-10-02T15:30 01:30',
          '2027-10-02T16:00 02:00 gap-skipped',
          '2027-10-02T16:00 02:30 gap-skipped',
          '2027-10-02T16:00 03:00',
          '2027-10-02T16:30 03:30',
        ]);
        expect(
          between(HALF_HOURLY, 'Australia/Sydney', 'shift', '2027-10-02T15:00:00Z', '2027-10-02T16:30:00Z'),
        ).toEqual(['2027-10-02T15:30 01:30', '2027-10-02T16:00 03:00', '2027-10-02T16:30 03:30']);
      });
    },
  );

  it('spaces rate(1 day) 24 h apart across a change: the local time moves instead', () => {
    const spec = { expression: 'rate(1 day)', timeZone: 'Europe/Berlin', anchor: new Date('2027-03-20T01:30:00Z') };
    expect(
      occurrencesBetween(spec, new Date('2027-03-26T12:00:00Z'), new Date('2027-03-29T12:00:00Z')).map(row),
    ).toEqual(['2027-03-27T01:30 02:30', '2027-03-28T01:30 03:30', '2027-03-29T01:30 03:30']);
  });

  it('stops at the limit', () => {
    expect(
      occurrencesBetween(
        { expression: HALF_HOURLY, timeZone: 'UTC' },
        new Date('2027-01-01T00:00:00Z'),
        new Date('2028-01-01T00:00:00Z'),
        3,
      ).map(row),
    ).toEqual(['2027-01-01T00:30 00:30', '2027-01-01T01:00 01:00', '2027-01-01T01:30 01:30']);
  });

  it('computes a year of a daily schedule in well under 100 ms', () => {
    const spec = { expression: DAILY, timeZone: 'Europe/Berlin' };
    const year = () => occurrencesBetween(spec, new Date('2027-01-01T00:00:00Z'), new Date('2028-01-01T00:00:00Z'));
    expect(year()).toHaveLength(365);
    // The median of five runs, as the machine may be busy.
    const times = Array.from({ length: 5 }, () => {
      const start = performance.now();
      year();
      return performance.now() - start;
    }).sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(100);
  });
});

describe('Function: nextFiring', () => {
  const after = new Date('2027-03-26T12:00:00Z');

  it('leaves a skipped occurrence out', () => {
    expect(nextFiring({ expression: DAILY, timeZone: 'Europe/Berlin' }, after, 3).map(row)).toEqual([
      '2027-03-27T01:30 02:30',
      '2027-03-29T00:30 02:30',
      '2027-03-30T00:30 02:30',
    ]);
  });

  it('keeps a shifted one in', () => {
    expect(nextFiring({ expression: DAILY, timeZone: 'Europe/Berlin', dstGap: 'shift' }, after, 3).map(row)).toEqual([
      '2027-03-27T01:30 02:30',
      '2027-03-28T01:00 02:30 gap-shifted',
      '2027-03-29T00:30 02:30',
    ]);
  });

  it(
    'starts strictly after `after`, so a repeated time already fired at its first instant does not ' +
      'fire again at its second',
    () => {
      // 00:45Z is between the two 02:30s of 2027-10-31 in Berlin (00:30Z CEST and 01:30Z CET).
      expect(
        nextFiring({ expression: DAILY, timeZone: 'Europe/Berlin' }, new Date('2027-10-31T00:45:00Z'), 1).map(row),
      ).toEqual(['2027-11-01T01:30 02:30']);
    },
  );

  it('supports a one-time at(...) in its zone, and a nonexistent one follows dstGap', () => {
    expect(nextFiring({ expression: 'at(2027-03-28T02:30:00)', timeZone: 'Europe/Berlin' }, after, 2)).toEqual([]);
    expect(
      nextFiring({ expression: 'at(2027-03-28T02:30:00)', timeZone: 'Europe/Berlin', dstGap: 'shift' }, after, 2).map(
        row,
      ),
    ).toEqual(['2027-03-28T01:00 02:30 gap-shifted']);
    expect(nextFiring({ expression: 'at(2027-03-29T09:00:00)', timeZone: 'Europe/Berlin' }, after, 2).map(row)).toEqual(
      ['2027-03-29T07:00 09:00'],
    );
  });

  it('throws for an expression or zone AWS would refuse', () => {
    expect(() => nextFiring({ expression: 'cron(0 25 * * ? *)', timeZone: 'UTC' }, after, 1)).toThrow(
      'Invalid hours field "25"',
    );
    expect(() => nextFiring({ expression: DAILY, timeZone: 'Mars/Olympus' }, after, 1)).toThrow(
      'Invalid time zone "Mars/Olympus"',
    );
  });
});

describe(
  'Function: occurrencesBetween, at UTC+13 (Pacific/Auckland: forward at 14:00Z on ' +
    '2025-09-27, back at 14:00Z on 2026-04-04)',
  () => {
    it(
      'skips the nonexistent 02:30 on the spring-forward day and runs the repeated 02:30 once, at its ' +
        'first (NZDT) instant',
      () => {
        expect(between(DAILY, 'Pacific/Auckland', 'skip', '2025-09-26T00:00:00Z', '2025-09-29T00:00:00Z')).toEqual([
          '2025-09-26T14:30 02:30',
          '2025-09-27T14:00 02:30 gap-skipped',
          '2025-09-28T13:30 02:30',
        ]);
        expect(between(DAILY, 'Pacific/Auckland', 'skip', '2026-04-03T00:00:00Z', '2026-04-06T00:00:00Z')).toEqual([
          '2026-04-03T13:30 02:30',
          '2026-04-04T13:30 02:30 repeated-once',
          '2026-04-05T14:30 02:30',
        ]);
      },
    );
  },
);
