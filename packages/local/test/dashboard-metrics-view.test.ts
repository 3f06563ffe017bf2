import { describe, expect, it } from 'vitest';
import { ALL_JOBS, metricsByMinute, percentile } from '@serverless-jobs/local/dashboard';
import type { EmfRecord } from '@serverless-jobs/local/runner';

const MINUTE = Date.parse('2026-11-24T08:00:00Z');

/** An EMF document as Powertools prints it: declared names, and each value a number or an array. */
const emf = (job: string, at: number, values: Record<string, number | number[]>): EmfRecord => ({
  label: job,
  document: {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [
        {
          Namespace: 'ServerlessJobs',
          Dimensions: [['service', 'job']],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    service: 'serverless-jobs',
    job,
    ...values,
  },
});

describe('Function: metricsByMinute', () => {
  it('sums counts and takes duration and lag percentiles per job and minute, with array values', () => {
    const records = [
      emf('cleanup', MINUTE + 1_000, { JobSucceeded: [1, 1], JobDuration: [100, 300], JobLag: 50 }),
      emf('cleanup', MINUTE + 59_000, { JobFailed: 1, JobSucceeded: 1, JobDuration: 200 }),
      emf('cleanup', MINUTE + 60_000, { JobSucceeded: 1, JobDuration: 1000 }),
      emf('send-email', MINUTE + 2_000, { JobSucceeded: 1, JobDuration: 40 }),
    ];
    const series = metricsByMinute(records);
    expect(series.filter((m) => m.job === 'cleanup')).toEqual([
      {
        job: 'cleanup',
        minute: MINUTE,
        succeeded: 3,
        failed: 1,
        durationP50: 200,
        durationP95: 300,
        lagP50: 50,
        lagP95: 50,
      },
      {
        job: 'cleanup',
        minute: MINUTE + 60_000,
        succeeded: 1,
        failed: 0,
        durationP50: 1000,
        durationP95: 1000,
        lagP50: null,
        lagP95: null,
      },
    ]);
    expect(series.find((m) => m.job === ALL_JOBS && m.minute === MINUTE)).toMatchObject({
      succeeded: 4,
      failed: 1,
      durationP50: 100,
    });
  });

  it('ignores documents before `since`, and values a document does not declare', () => {
    const stray = emf('cleanup', MINUTE, { JobSucceeded: 1 });
    (stray.document as Record<string, unknown>).JobFailed = 5;
    expect(metricsByMinute([emf('cleanup', MINUTE - 60_000, { JobSucceeded: 9 }), stray], MINUTE)).toEqual([
      expect.objectContaining({ job: 'cleanup', succeeded: 1, failed: 0 }),
      expect.objectContaining({ job: ALL_JOBS, succeeded: 1, failed: 0 }),
    ]);
  });

  it('takes the nearest-rank percentile, and null for no samples', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(19);
    expect(percentile([], 95)).toBeNull();
  });
});
