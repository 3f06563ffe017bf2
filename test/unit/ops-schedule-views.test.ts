import { describe, expect, it } from 'vitest';
import { cleanupJob } from '#shared/jobs/cleanup';
import { formatDuration, parseDuration } from '@serverless-jobs/cli/ops';
import {
  contextLines,
  dstFlag,
  dstShifts,
  formatOffset,
  lastDueOccurrence,
  scheduleView,
  utcOffsetMinutes,
} from '@serverless-jobs/cli/ops';
import { nextOccurrences } from '@serverless-jobs/runtime/cron';

const daily = cleanupJob.schedules[0]!;

describe('Function: scheduleView (rate)', () => {
  it('counts a rate from its anchor (the runner start, or the schedule creation on AWS), not from midnight', () => {
    const watchdog = { ...daily, name: 'every-5-minutes', expression: 'rate(5 minutes)' };
    const deployed = {
      state: 'ENABLED' as const,
      expression: 'rate(5 minutes)',
      timeZone: 'UTC',
      rateAnchor: '2026-12-01T22:54:55.000Z',
    };
    expect(scheduleView('schedule-watchdog', watchdog, deployed, new Date('2026-12-01T23:00:00Z'), 2).next).toEqual([
      '2026-12-01T23:04:55.000Z',
      '2026-12-01T23:09:55.000Z',
    ]);
  });
});

describe('Function: dstShifts', () => {
  it('flags the spring change of UTC offset between consecutive occurrences, dated on the new offset', () => {
    // prepare: 06:00 in Berlin on 27, 28 and 29 March 2027; summer time starts on the 28th
    const next = nextOccurrences('cron(0 6 * * ? *)', 'Europe/Berlin', new Date('2027-03-26T12:00:00Z'), 3);
    // act
    const notes = dstShifts(next, 'Europe/Berlin');
    // assess
    expect(next.map((d) => d.toISOString())).toEqual([
      '2027-03-27T05:00:00.000Z',
      '2027-03-28T04:00:00.000Z',
      '2027-03-29T04:00:00.000Z',
    ]);
    expect(notes).toEqual(['2027-03-28: Europe/Berlin moves to UTC+2']);
  });

  it('dates the note by the day the change happens, even when no occurrence falls on it (a weekly job)', () => {
    const weekly = nextOccurrences('cron(30 2 ? * SUN *)', 'Europe/Berlin', new Date('2027-03-15T00:00:00Z'), 2);
    // 03-28 02:30 does not exist.
    expect(weekly.map((d) => d.toISOString())).toEqual(['2027-03-21T01:30:00.000Z', '2027-04-04T00:30:00.000Z']);
    expect(dstShifts(weekly, 'Europe/Berlin')).toEqual(['2027-03-28: Europe/Berlin moves to UTC+2']);
  });

  it('flags the autumn change in New York, and nothing in UTC or between unchanged offsets', () => {
    const ny = nextOccurrences('cron(0 6 * * ? *)', 'America/New_York', new Date('2026-10-30T12:00:00Z'), 3);
    expect(dstShifts(ny, 'America/New_York')).toEqual(['2026-11-01: America/New_York moves to UTC-5']);
    expect(dstShifts(nextOccurrences('cron(0 2 * * ? *)', 'UTC', new Date('2027-03-26T00:00:00Z'), 3), 'UTC')).toEqual(
      [],
    );
    expect(
      dstShifts(
        nextOccurrences('cron(0 6 * * ? *)', 'Europe/Berlin', new Date('2026-11-24T00:00:00Z'), 3),
        'Europe/Berlin',
      ),
    ).toEqual([]);
  });

  it('writes offsets with minutes when a zone has them', () => {
    expect(utcOffsetMinutes(new Date('2026-11-24T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect([formatOffset(330), formatOffset(-210), formatOffset(0), formatOffset(120)]).toEqual([
      'UTC+5:30',
      'UTC-3:30',
      'UTC',
      'UTC+2',
    ]);
  });
});

describe('Function: scheduleView', () => {
  it('lists the next 3 occurrences of an enabled schedule and none of a paused one', () => {
    const now = new Date('2026-11-24T08:00:00Z');
    const enabled = scheduleView(
      'cleanup',
      daily,
      { state: 'ENABLED', expression: 'cron(0 2 * * ? *)', timeZone: 'UTC' },
      now,
    );
    const paused = scheduleView(
      'cleanup',
      daily,
      { state: 'DISABLED', expression: 'cron(0 2 * * ? *)', timeZone: 'UTC' },
      now,
    );
    expect(enabled.next).toEqual(['2026-11-25T02:00:00.000Z', '2026-11-26T02:00:00.000Z', '2026-11-27T02:00:00.000Z']);
    expect(paused).toMatchObject({ state: 'DISABLED', next: [], dstShifts: [] });
  });
});

describe('Function: scheduleView (upcoming)', () => {
  const berlin = { state: 'ENABLED', expression: 'cron(30 2 * * ? *)', timeZone: 'Europe/Berlin' } as const;
  const now = new Date('2027-03-26T12:00:00Z');

  it('lists a skipped occurrence in upcoming, flagged, but not in next (it does not fire)', () => {
    const view = scheduleView('cleanup', daily, berlin, now);
    expect(view.upcoming).toEqual([
      { at: '2027-03-27T01:30:00.000Z', local: '2027-03-27T02:30' },
      { at: '2027-03-28T01:00:00.000Z', local: '2027-03-28T02:30', dst: 'gap-skipped' },
      { at: '2027-03-29T00:30:00.000Z', local: '2027-03-29T02:30' },
    ]);
    expect(view.next).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-29T00:30:00.000Z', '2027-03-30T00:30:00.000Z']);
  });

  it('follows the declared dstGap: a shifted occurrence is in both', () => {
    const view = scheduleView('cleanup', { ...daily, dstGap: 'shift' }, berlin, now);
    expect(view.upcoming[1]).toEqual({ at: '2027-03-28T01:00:00.000Z', local: '2027-03-28T02:30', dst: 'gap-shifted' });
    expect(view.next).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  });
});

describe('Function: dstFlag', () => {
  it('words each DST note, with the local time a shifted one runs at, and nothing for an ordinary occurrence', () => {
    expect(
      dstFlag({ at: '2027-03-28T01:00:00.000Z', local: '2027-03-28T02:30', dst: 'gap-skipped' }, 'Europe/Berlin'),
    ).toBe('DST gap: 02:30 does not exist, skipped (EventBridge)');
    expect(
      dstFlag({ at: '2027-03-28T01:00:00.000Z', local: '2027-03-28T02:30', dst: 'gap-shifted' }, 'Europe/Berlin'),
    ).toBe('DST gap: shifted to 03:00');
    expect(
      dstFlag({ at: '2027-10-31T00:30:00.000Z', local: '2027-10-31T02:30', dst: 'repeated-once' }, 'Europe/Berlin'),
    ).toBe('DST repeat: 02:30 happens twice, runs once (the first)');
    expect(dstFlag({ at: '2027-03-27T01:30:00.000Z', local: '2027-03-27T02:30' }, 'Europe/Berlin')).toBeUndefined();
  });
});

describe('Function: lastDueOccurrence', () => {
  it('finds the latest occurrence at or before now, for daily and monthly crons', () => {
    expect(lastDueOccurrence('cron(0 2 * * ? *)', 'UTC', new Date('2026-11-24T08:00:00Z'))?.toISOString()).toBe(
      '2026-11-24T02:00:00.000Z',
    );
    expect(lastDueOccurrence('cron(0 2 * * ? *)', 'UTC', new Date('2026-11-24T02:00:00Z'))?.toISOString()).toBe(
      '2026-11-24T02:00:00.000Z',
    );
    expect(lastDueOccurrence('cron(0 0 1 * ? *)', 'UTC', new Date('2026-11-24T08:00:00Z'))?.toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
  });

  it('knows nothing of a rate, whose anchor AWS keeps', () => {
    expect(lastDueOccurrence('rate(5 minutes)', 'UTC', new Date('2026-11-24T08:00:00Z'))).toBeUndefined();
  });
});

describe('Function: contextLines', () => {
  it('names the only schedule by its job, and adds the time zone only when it differs from the declaration', () => {
    expect(contextLines(cleanupJob, 'daily', 'cron(0 3 * * ? *)', 'UTC')).toEqual([
      '"schedule.cleanup": "cron(0 3 * * ? *)"',
    ]);
    expect(contextLines(cleanupJob, 'daily', 'cron(0 3 * * ? *)', 'Europe/Berlin')).toEqual([
      '"schedule.cleanup": "cron(0 3 * * ? *)"',
      '"timezone.cleanup": "Europe/Berlin"',
    ]);
  });
});

describe('Function: parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['45', 45_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text, '--delay')).toBe(ms));

  it('names the option and quotes the value it refuses', () => {
    expect(() => parseDuration('3x', '--delay')).toThrow(
      '--delay must be a duration such as 30s, 15m, 2h or 1d (given "3x")',
    );
  });

  it('writes a duration in its largest whole unit', () => {
    expect([formatDuration(3_600_000), formatDuration(90_000), formatDuration(86_400_000)]).toEqual([
      '1h',
      '90s',
      '1d',
    ]);
  });
});
