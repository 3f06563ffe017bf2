import { describe, expect, it } from 'vitest';
import { cleanupJob } from '#shared/jobs/cleanup';
import { type CliIo, formatUpcoming, runCommand } from '@serverless-jobs/cli/commands';
import type { JobsOps } from '@serverless-jobs/cli/ops';
import type { ScheduleView } from '@serverless-jobs/cli/ops';
import { scheduleView } from '@serverless-jobs/cli/ops';

const NOW = new Date('2027-03-26T12:00:00Z');
const daily = cleanupJob.schedules[0]!;

/** cleanup's schedule deployed as 02:30 in Berlin, seen from NOW (an injected clock, not Date.now()). */
function berlinView(dstGap: 'skip' | 'shift', count = 3): ScheduleView {
  return scheduleView(
    'cleanup',
    { ...daily, dstGap },
    { state: 'ENABLED', expression: 'cron(30 2 * * ? *)', timeZone: 'Europe/Berlin' },
    NOW,
    count,
  );
}

function capture(): { io: CliIo; out: string[] } {
  const out: string[] = [];
  return { out, io: { out: (text) => void out.push(text), err: () => {}, errIsTty: false, now: () => NOW.getTime() } };
}

describe('Function: formatUpcoming', () => {
  it('prints UTC, local time and a DST flag per occurrence, then the offset change', () => {
    expect(formatUpcoming([berlinView('skip', 4)])).toBe(
      [
        'cleanup/daily: cron(30 2 * * ? *) in Europe/Berlin',
        'UTC                   LOCAL (Europe/Berlin)  DST',
        '2027-03-27T01:30:00Z  2027-03-27 02:30',
        '2027-03-28T01:00:00Z  2027-03-28 02:30       DST gap: 02:30 does not exist, skipped (EventBridge)',
        '2027-03-29T00:30:00Z  2027-03-29 02:30',
        '2027-03-30T00:30:00Z  2027-03-30 02:30',
        '  2027-03-28: Europe/Berlin moves to UTC+2',
      ].join('\n'),
    );
  });

  it('flags a shifted occurrence with the local time it runs at, and a repeated one', () => {
    expect(formatUpcoming([berlinView('shift')]).split('\n')[3]).toBe(
      '2027-03-28T01:00:00Z  2027-03-28 02:30       DST gap: shifted to 03:00',
    );
    const fall = scheduleView(
      'cleanup',
      daily,
      { state: 'ENABLED', expression: 'cron(30 2 * * ? *)', timeZone: 'Europe/Berlin' },
      new Date('2027-10-30T12:00:00Z'),
      1,
    );
    expect(formatUpcoming([fall]).split('\n')[2]).toBe(
      '2027-10-31T00:30:00Z  2027-10-31 02:30       DST repeat: 02:30 happens twice, runs once (the first)',
    );
  });

  it('says so for a paused schedule', () => {
    const paused = scheduleView(
      'cleanup',
      daily,
      { state: 'DISABLED', expression: 'cron(30 2 * * ? *)', timeZone: 'Europe/Berlin' },
      NOW,
      3,
    );
    expect(formatUpcoming([paused])).toBe('cleanup/daily: cron(30 2 * * ? *) in Europe/Berlin: paused, no occurrences');
  });
});

describe('Function: runCommand (next)', () => {
  it('asks the ops core for the schedule and count, and prints JSON with --json', async () => {
    const asked: unknown[] = [];
    const view = berlinView('skip');
    const ops = {
      nextOccurrences: async (job: string, options: unknown) => {
        asked.push([job, options]);
        return [view];
      },
    } as unknown as JobsOps;
    const { io, out } = capture();
    expect(await runCommand({ name: 'next', job: 'cleanup', schedule: 'daily', count: 3 }, true, ops, io)).toBe(0);
    expect(asked).toEqual([['cleanup', { schedule: 'daily', count: 3 }]]);
    expect(JSON.parse(out[0]!)[0].upcoming).toEqual([
      { at: '2027-03-27T01:30:00.000Z', local: '2027-03-27T02:30' },
      { at: '2027-03-28T01:00:00.000Z', local: '2027-03-28T02:30', dst: 'gap-skipped' },
      { at: '2027-03-29T00:30:00.000Z', local: '2027-03-29T02:30' },
    ]);
  });
});
