import { describe, expect, it } from 'vitest';
import { type PeriodRequest, reportIdOf, resolvePeriod, utcDaysOverlapping } from '#shared/reports/report-period';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';

const period = (request: Omit<PeriodRequest, 'reference'> & { reference: string }) => {
  const resolved = resolvePeriod({ ...request, reference: new Date(request.reference) });
  return { id: reportIdOf(resolved), start: resolved.start.toISOString(), end: resolved.end.toISOString() };
};

describe('Function: resolvePeriod', () => {
  it('covers the previous UTC day when the zone is UTC', () => {
    // Act
    const result = period({ kind: 'daily', reference: '2026-03-30T06:00:00.000Z', timeZone: 'UTC' });

    // Assess
    expect(result).toEqual({
      id: 'daily/2026-03-29/UTC',
      start: '2026-03-29T00:00:00.000Z',
      end: '2026-03-30T00:00:00.000Z',
    });
  });

  it('covers a 23-hour day when Berlin springs forward', () => {
    // Act
    const result = period({ kind: 'daily', reference: '2026-03-30T04:00:00.000Z', timeZone: 'Europe/Berlin' });

    // Assess
    expect(result).toEqual({
      id: 'daily/2026-03-29/Europe/Berlin',
      start: '2026-03-28T23:00:00.000Z',
      end: '2026-03-29T22:00:00.000Z',
    });
  });

  it('covers a 25-hour day when Berlin falls back', () => {
    // Act
    const result = period({ kind: 'daily', reference: '2026-10-26T05:00:00.000Z', timeZone: 'Europe/Berlin' });

    // Assess
    expect(result).toEqual({
      id: 'daily/2026-10-25/Europe/Berlin',
      start: '2026-10-24T22:00:00.000Z',
      end: '2026-10-25T23:00:00.000Z',
    });
  });

  it('counts the day in the zone rather than in UTC when the two dates differ', () => {
    // Act: 22:30 UTC on 31 March is already 1 April in Berlin
    const result = period({ kind: 'daily', reference: '2026-03-31T22:30:00.000Z', timeZone: 'Europe/Berlin' });

    // Assess
    expect(result.id).toBe('daily/2026-03-31/Europe/Berlin');
  });

  it('covers the previous month across the DST change when run in Berlin on the first', () => {
    // Act
    const result = period({ kind: 'monthly', reference: '2026-03-31T22:30:00.000Z', timeZone: 'Europe/Berlin' });

    // Assess
    expect(result).toEqual({
      id: 'monthly/2026-03/Europe/Berlin',
      start: '2026-02-28T23:00:00.000Z',
      end: '2026-03-31T22:00:00.000Z',
    });
  });

  it('covers December of the previous year when run in January in UTC', () => {
    // Act
    const result = period({ kind: 'monthly', reference: '2026-01-01T00:00:00.000Z', timeZone: 'UTC' });

    // Assess
    expect(result).toEqual({
      id: 'monthly/2025-12/UTC',
      start: '2025-12-01T00:00:00.000Z',
      end: '2026-01-01T00:00:00.000Z',
    });
  });

  it('covers the given date or month when the payload names one', () => {
    // Act
    const day = period({
      kind: 'daily',
      explicit: '2024-02-29',
      reference: '2026-06-01T00:00:00.000Z',
      timeZone: 'UTC',
    });
    const month = period({
      kind: 'monthly',
      explicit: '2026-10',
      reference: '2026-06-01T00:00:00.000Z',
      timeZone: 'Europe/Berlin',
    });

    // Assess
    expect(day).toEqual({
      id: 'daily/2024-02-29/UTC',
      start: '2024-02-29T00:00:00.000Z',
      end: '2024-03-01T00:00:00.000Z',
    });
    expect(month).toEqual({
      id: 'monthly/2026-10/Europe/Berlin',
      start: '2026-09-30T22:00:00.000Z',
      end: '2026-10-31T23:00:00.000Z',
    });
  });

  it('starts the day at the first existing time when midnight falls in a DST gap', () => {
    // Act: Santiago skipped from 00:00 to 01:00 on 11 September 2022
    const result = period({
      kind: 'daily',
      explicit: '2022-09-11',
      reference: '2022-09-12T12:00:00.000Z',
      timeZone: 'America/Santiago',
    });

    // Assess
    expect(result).toEqual({
      id: 'daily/2022-09-11/America/Santiago',
      start: '2022-09-11T04:00:00.000Z',
      end: '2022-09-12T03:00:00.000Z',
    });
  });

  it.each([
    ['daily', '2026-02-30'],
    ['daily', '2026-02'],
    ['monthly', '2026-02-01'],
  ] as const)('refuses a %s report for "%s" as a permanent error', (kind, explicit) => {
    // Act
    const act = () => resolvePeriod({ kind, explicit, reference: new Date(), timeZone: 'UTC' });

    // Assess
    expect(act).toThrow(PermanentJobError);
  });

  it('gives one ID to one zone when its name is spelt another way', () => {
    // Act
    const ids = ['europe/berlin', 'Europe/Berlin', 'Etc/UTC', 'utc'].map(
      (timeZone) => period({ kind: 'monthly', explicit: '2026-10', reference: '2026-11-01T06:00:00Z', timeZone }).id,
    );

    // Assess
    expect(ids).toEqual([
      'monthly/2026-10/Europe/Berlin',
      'monthly/2026-10/Europe/Berlin',
      'monthly/2026-10/UTC',
      'monthly/2026-10/UTC',
    ]);
  });

  it('refuses an unknown time zone as a permanent error', () => {
    // Act
    const act = () => resolvePeriod({ kind: 'daily', reference: new Date(), timeZone: 'Mars/Olympus' });

    // Assess
    expect(act).toThrow(PermanentJobError);
    expect(act).toThrow('Invalid time zone "Mars/Olympus"');
  });
});

describe('Function: utcDaysOverlapping', () => {
  it('lists both UTC days a Berlin day touches', () => {
    // Act
    const days = utcDaysOverlapping(new Date('2026-03-28T23:00:00.000Z'), new Date('2026-03-29T22:00:00.000Z'));

    // Assess
    expect(days).toEqual(['2026-03-28', '2026-03-29']);
  });

  it('lists only one day when the period is exactly one UTC day', () => {
    // Act
    const days = utcDaysOverlapping(new Date('2026-03-29T00:00:00.000Z'), new Date('2026-03-30T00:00:00.000Z'));

    // Assess
    expect(days).toEqual(['2026-03-29']);
  });
});
