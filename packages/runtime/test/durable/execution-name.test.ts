import { describe, expect, it } from 'vitest';
import { executionName, stepRetryStrategy } from '@serverless-jobs/runtime/durable';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError, RunCancelledError } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';

describe('executionName', () => {
  it('is the job ID where Lambda takes it, and a hash of it where not; a redrive gets a name of its own', () => {
    expect(executionName('fulfil-o-1001')).toBe('fulfil-o-1001');
    expect(executionName('fulfil-o-1001', 2)).toBe('fulfil-o-1001_r2');
    const hashed = executionName('daily-report/daily@2026-12-05T06:00:00Z');
    expect(hashed).toMatch(/^sj-[0-9a-f]{40}$/);
    expect(executionName('daily-report/daily@2026-12-05T06:00:00Z')).toBe(hashed);
  });
});

describe('stepRetryStrategy', () => {
  const job = defineJob({
    name: 'fulfil',
    description: 'demo',
    payload: z.object({}),
    retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 10, jitter: 0 } },
  });
  const decide = stepRetryStrategy(job);

  it('retries as the job’s policy says, and stops after its attempts', () => {
    expect(decide(new Error('timeout'), 1)).toEqual({ shouldRetry: true, delay: { seconds: 10 } });
    expect(decide(new Error('timeout'), 2)).toEqual({ shouldRetry: true, delay: { seconds: 20 } });
    expect(decide(new Error('timeout'), 3)).toEqual({ shouldRetry: false });
  });

  it('never retries a permanent failure or a cancelled run', () => {
    expect(decide(new PermanentJobError('bad card'), 1)).toEqual({ shouldRetry: false });
    expect(decide(new RunCancelledError({ job: 'fulfil', id: 'x' }), 1)).toEqual({ shouldRetry: false });
  });
});
