import { describe, expect, it } from 'vitest';
import {
  healthReport,
  type JobHealthFacts,
  judgeJobHealth,
  occurrenceOwed,
  watchdogFindings,
} from '@serverless-jobs/cli/ops';
import { HEALTH_EXIT_CODE } from '@serverless-jobs/cli/ops';

const facts = (overrides: Partial<JobHealthFacts> = {}): JobHealthFacts => ({
  job: 'cleanup',
  failuresInWindow: 0,
  dlqDepth: 0,
  oldestMessageAgeLimitSeconds: 900,
  missed: [],
  windowLabel: '1h',
  ...overrides,
});

describe('Function: judgeJobHealth', () => {
  it('is Healthy with no failures, an empty DLQ and no missed occurrence', () => {
    expect(judgeJobHealth(facts({ lastSuccess: '2026-11-24T02:00:03.000Z' }))).toMatchObject({
      state: 'Healthy',
      reasons: [],
    });
  });

  it('is Degraded when runs failed in the window', () => {
    expect(judgeJobHealth(facts({ failuresInWindow: 2 }))).toMatchObject({
      state: 'Degraded',
      reasons: ['2 FAILED/DEAD run(s) in the last 1h'],
    });
  });

  it('is Degraded when the oldest queued message is older than the job alarm', () => {
    expect(judgeJobHealth(facts({ oldestMessageAgeSeconds: 1200 })).reasons).toEqual([
      'the oldest queued message has waited 1200 s (alarm at 900 s)',
    ]);
  });

  it('is Degraded when the watchdog found an occurrence late or delivered more than once', () => {
    const occurrence = { schedule: 'daily', occurrence: '2026-11-24T02:00:00Z' };
    expect(judgeJobHealth(facts({ late: [occurrence], duplicated: [occurrence] }))).toMatchObject({
      state: 'Degraded',
      reasons: [
        'schedule "daily": occurrence 2026-11-24T02:00:00Z arrived late',
        'schedule "daily": occurrence 2026-11-24T02:00:00Z was delivered more than once (it ran once)',
      ],
    });
  });

  it('is Unhealthy when the DLQ holds messages or an occurrence was missed, listing every reason', () => {
    const health = judgeJobHealth(
      facts({ dlqDepth: 3, failuresInWindow: 1, missed: [{ schedule: 'daily', occurrence: '2026-11-24T02:00:00Z' }] }),
    );
    expect(health.state).toBe('Unhealthy');
    expect(health.reasons).toEqual([
      '3 message(s) in the DLQ',
      'schedule "daily" missed its occurrence 2026-11-24T02:00:00Z: no run in the ledger',
      '1 FAILED/DEAD run(s) in the last 1h',
    ]);
  });
});

describe('Function: healthReport', () => {
  it('takes the worst job state, which maps to exit codes 0, 1 and 2', () => {
    const at = new Date('2026-11-24T08:00:00Z');
    const healthy = judgeJobHealth(facts());
    const degraded = judgeJobHealth(facts({ job: 'send-email', failuresInWindow: 1 }));
    const unhealthy = judgeJobHealth(facts({ job: 'process-order', dlqDepth: 1 }));
    expect(HEALTH_EXIT_CODE[healthReport([healthy], at).state]).toBe(0);
    expect(HEALTH_EXIT_CODE[healthReport([healthy, degraded], at).state]).toBe(1);
    expect(HEALTH_EXIT_CODE[healthReport([degraded, unhealthy, healthy], at).state]).toBe(2);
    expect(healthReport([], at)).toEqual({ state: 'Healthy', checkedAt: '2026-11-24T08:00:00.000Z', jobs: [] });
  });
});

describe('Function: occurrenceOwed', () => {
  const enabled = { state: 'ENABLED' as const, expression: 'cron(0 2 * * ? *)', timeZone: 'UTC' };
  const tolerance = 15 * 60_000;

  it('owes the last occurrence once the tolerance has passed', () => {
    expect(occurrenceOwed(enabled, new Date('2026-11-24T02:20:00Z'), tolerance)?.toISOString()).toBe(
      '2026-11-24T02:00:00.000Z',
    );
  });

  it('within the tolerance, still owes only the previous day', () => {
    expect(occurrenceOwed(enabled, new Date('2026-11-24T02:10:00Z'), tolerance)?.toISOString()).toBe(
      '2026-11-23T02:00:00.000Z',
    );
  });

  it('owes nothing while paused, or from before the schedule was last changed', () => {
    const now = new Date('2026-11-24T08:00:00Z');
    expect(occurrenceOwed({ ...enabled, state: 'DISABLED' }, now, tolerance)).toBeUndefined();
    expect(occurrenceOwed({ ...enabled, activeSince: '2026-11-24T03:00:00Z' }, now, tolerance)).toBeUndefined();
    expect(occurrenceOwed({ ...enabled, activeSince: '2026-11-23T03:00:00Z' }, now, tolerance)?.toISOString()).toBe(
      '2026-11-24T02:00:00.000Z',
    );
  });
});

describe('Function: watchdogFindings', () => {
  it('keeps the occurrences due inside the window, per kind, with their schedule', () => {
    const recent = {
      missed: ['daily@2026-11-24T02:00:00Z', 'daily@2026-11-23T02:00:00Z'],
      late: ['daily@2026-11-24T01:30:00Z'],
      duplicated: [],
    };
    expect(
      watchdogFindings([{ pauses: [], superseded: [], recent }], new Date('2026-11-24T02:30:00Z'), 3_600_000),
    ).toEqual({
      missed: [{ schedule: 'daily', occurrence: '2026-11-24T02:00:00Z' }],
      late: [{ schedule: 'daily', occurrence: '2026-11-24T01:30:00Z' }],
      duplicated: [],
    });
  });
});
