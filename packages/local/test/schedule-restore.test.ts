import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalSchedule, SavedSchedule } from '@serverless-jobs/local/runner';
import { SavedStateFile, ScheduleRunner, VirtualClock } from '@serverless-jobs/local/runner';

const template = (expression: string): LocalSchedule => ({
  logicalId: 'ScheduleReportDaily',
  name: 'daily-report-daily',
  kind: 'scheduler',
  expression,
  timeZone: 'UTC',
  enabled: true,
  queueLogicalId: 'ReportQueue',
  input: JSON.stringify({ job: 'daily-report', schedule: 'daily', occurrence: '<t>', timeZone: 'UTC' }),
  placeholder: '<t>',
});

/** A runner on an injected clock that sends nothing, and the changes it reported. */
function runner(schedule: LocalSchedule) {
  const reported: Record<string, SavedSchedule>[] = [];
  const clock = new VirtualClock(Date.parse('2026-12-05T10:00:00Z'), 1);
  const scheduleRunner = new ScheduleRunner({
    client: { send: async () => ({}) } as unknown as SQSClient,
    clock,
    schedules: [schedule],
    queueUrlOf: () => 'memory://q',
    report: () => {},
    onChange: (changes) => void reported.push(changes),
  });
  return { scheduleRunner, reported, state: scheduleRunner.states[0]! };
}

describe('Class: ScheduleRunner, across a restart', () => {
  it('reports a pause and an update with the template settings beside them, and applies them again', () => {
    const first = runner(template('cron(0 6 * * ? *)'));
    first.scheduleRunner.update(first.state, 'cron(30 7 * * ? *)', 'Europe/Berlin');
    first.scheduleRunner.setEnabled(first.state, false);
    const changes = first.reported.at(-1)!;
    expect(changes.ScheduleReportDaily).toMatchObject({
      deployed: { expression: 'cron(0 6 * * ? *)', timeZone: 'UTC', enabled: true },
      current: { expression: 'cron(30 7 * * ? *)', timeZone: 'Europe/Berlin', enabled: false },
    });

    const second = runner(template('cron(0 6 * * ? *)'));
    expect(second.scheduleRunner.restore(changes)).toEqual({
      restored: ['daily-report/daily (paused, cron(30 7 * * ? *) in Europe/Berlin)'],
      dropped: [],
    });
    expect(second.state).toMatchObject({
      enabled: false,
      schedule: { expression: 'cron(30 7 * * ? *)', timeZone: 'Europe/Berlin' },
    });
    expect(JSON.parse(second.state.schedule.input)).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect(second.scheduleRunner.changes()).toEqual(changes);
  });

  it('names no change for a schedule paused and resumed since, and keeps when it resumed', () => {
    const first = runner(template('cron(0 6 * * ? *)'));
    first.scheduleRunner.setEnabled(first.state, false);
    first.scheduleRunner.setEnabled(first.state, true);
    const changes = first.reported.at(-1)!;
    const second = runner(template('cron(0 6 * * ? *)'));
    expect(second.scheduleRunner.restore(changes)).toEqual({ restored: [], dropped: [] });
    expect(second.state).toMatchObject({ enabled: true });
    expect(second.scheduleRunner.activeSinceOf(second.state)).toBe(changes.ScheduleReportDaily!.activeSince);
  });

  it('names a schedule deployed disabled and resumed since as resumed', () => {
    const disabled = { ...template('cron(0 6 * * ? *)'), enabled: false };
    const first = runner(disabled);
    first.scheduleRunner.setEnabled(first.state, true);
    const second = runner(disabled);
    expect(second.scheduleRunner.restore(first.reported.at(-1)!)).toEqual({
      restored: ['daily-report/daily (resumed)'],
      dropped: [],
    });
    expect(second.state.enabled).toBe(true);
  });

  it('drops the changes of a schedule whose template changed since, as a deploy replaces them', () => {
    const first = runner(template('cron(0 6 * * ? *)'));
    first.scheduleRunner.setEnabled(first.state, false);
    const deployed = runner(template('cron(0 5 * * ? *)'));
    expect(deployed.scheduleRunner.restore(first.reported.at(-1)!)).toEqual({
      restored: [],
      dropped: ['daily-report/daily'],
    });
    expect(deployed.state).toMatchObject({ enabled: true, schedule: { expression: 'cron(0 5 * * ? *)' } });
  });
});

describe('Class: SavedStateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sj-saved-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote, and keeps nothing without a path', () => {
    const path = join(dir, 'schedules.json');
    new SavedStateFile(path).saveSends([{ id: 'a', job: 'cleanup', at: '2099-01-01T00:00:00.000Z', body: '{}' }]);
    expect(new SavedStateFile(path).sends).toEqual([
      { id: 'a', job: 'cleanup', at: '2099-01-01T00:00:00.000Z', body: '{}' },
    ]);
    const memory = new SavedStateFile(undefined);
    memory.saveSends([{ id: 'b', job: 'cleanup', at: '2099-01-01T00:00:00.000Z', body: '{}' }]);
    expect(new SavedStateFile(undefined).sends).toEqual([]);
  });

  it('refuses a file it did not write, naming the file, the field and --reset', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify({ version: 1, schedules: {}, sends: [{ id: 7 }] }));
    expect(() => new SavedStateFile(path)).toThrow(
      `${path}: "sends.0.id" is not what the runner wrote (Invalid input: expected string, received number); ` +
        'start with --reset',
    );
  });
});
