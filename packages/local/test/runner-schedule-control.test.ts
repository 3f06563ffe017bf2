import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerScheduleControl } from '@serverless-jobs/local/dashboard';
import type { LocalSchedule } from '@serverless-jobs/local/runner';
import { ScheduleRunner } from '@serverless-jobs/local/runner';
import { VirtualClock } from '@serverless-jobs/local/runner';

/** A scheduler schedule of cleanup's shape, as the local model reads it from the template. */
function localSchedule(expression: string, timeZone: string): LocalSchedule {
  return {
    logicalId: 'ScheduleCleanupDaily',
    name: 'cleanup-daily',
    kind: 'scheduler',
    expression,
    timeZone,
    enabled: true,
    queueLogicalId: 'CleanupQueue',
    input: JSON.stringify({
      job: 'cleanup',
      schedule: 'daily',
      occurrence: '<aws.scheduler.scheduled-time>',
      timeZone,
    }),
    placeholder: '<aws.scheduler.scheduled-time>',
  };
}

const runners: ScheduleRunner[] = [];
afterEach(() => runners.splice(0).forEach((runner) => runner.stop()));

/** A runner armed at a fixed virtual time (an injected clock), and the dashboard's control over it; nothing is sent. */
function control(expression: string, timeZone: string, now: string): RunnerScheduleControl {
  const clock = new VirtualClock(Date.parse(now), 1);
  const client = { send: async () => ({}) } as unknown as SQSClient;
  const runner = new ScheduleRunner({
    client,
    clock,
    schedules: [localSchedule(expression, timeZone)],
    queueUrlOf: () => 'memory://q',
    report: () => {},
  });
  runners.push(runner);
  runner.start();
  return new RunnerScheduleControl({ runner, clock, client, queueUrlOf: () => 'memory://q' });
}

describe('Class: RunnerScheduleControl', () => {
  describe('Method: rows', () => {
    it("lists the next 5 occurrences with EventBridge's DST notes; the runner arms past the skipped one", () => {
      const [row] = control('cron(30 2 * * ? *)', 'Europe/Berlin', '2027-03-26T12:00:00Z').rows();
      expect(row!.next).toBe('2027-03-27T01:30:00.000Z');
      expect(row!.occurrences).toEqual([
        { at: '2027-03-27T01:30:00.000Z', local: '2027-03-27T02:30' },
        {
          at: '2027-03-28T01:00:00.000Z',
          local: '2027-03-28T02:30',
          dst: 'gap-skipped',
          note: 'DST gap: 02:30 does not exist, skipped (EventBridge)',
        },
        { at: '2027-03-29T00:30:00.000Z', local: '2027-03-29T02:30' },
        { at: '2027-03-30T00:30:00.000Z', local: '2027-03-30T02:30' },
        { at: '2027-03-31T00:30:00.000Z', local: '2027-03-31T02:30' },
      ]);
      expect(row!.upcoming).toEqual([
        '2027-03-27T01:30:00.000Z',
        '2027-03-29T00:30:00.000Z',
        '2027-03-30T00:30:00.000Z',
        '2027-03-31T00:30:00.000Z',
      ]);
    });

    it('arms the runner on the day after a skipped occurrence', () => {
      const [row] = control('cron(30 2 * * ? *)', 'Europe/Berlin', '2027-03-27T12:00:00Z').rows();
      expect(row!.next).toBe('2027-03-29T00:30:00.000Z');
      expect(row!.occurrences[0]).toEqual({
        at: '2027-03-28T01:00:00.000Z',
        local: '2027-03-28T02:30',
        dst: 'gap-skipped',
        note: 'DST gap: 02:30 does not exist, skipped (EventBridge)',
      });
    });

    it('flags a repeated time, run once at its first instant', () => {
      const [row] = control('cron(30 2 * * ? *)', 'Europe/Berlin', '2027-10-30T12:00:00Z').rows();
      expect(row!.occurrences[0]).toEqual({
        at: '2027-10-31T00:30:00.000Z',
        local: '2027-10-31T02:30',
        dst: 'repeated-once',
        note: 'DST repeat: 02:30 happens twice, runs once (the first)',
      });
    });
  });
});
