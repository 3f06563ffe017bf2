import { describe, expect, it } from 'vitest';
import * as z from '@serverless-jobs/runtime/zod';
import { defineJob, JobDeclarationError } from '@serverless-jobs/runtime/jobs';
import { allJobs } from '#shared/jobs/registry';

const base = { name: 'demo', description: 'demo', payload: z.object({ n: z.number() }) };

describe('Function: defineJob', () => {
  it('applies the documented defaults', () => {
    const job = defineJob(base);
    expect(job).toMatchObject({
      timeoutSeconds: 30,
      memoryMb: 256,
      batchSize: 10,
      batchingWindowSeconds: 0,
      maxConcurrency: 5,
      recordConcurrency: 10,
      ledgerRetentionDays: 45,
    });
    expect(job.retry).toEqual({
      attempts: 3,
      backoff: { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 900, jitter: 0.2 },
    });
  });

  it('fails with every problem at once, each quoting the value given', () => {
    const attempt = () =>
      defineJob({
        ...base,
        batchSize: 50,
        maxConcurrency: 1,
        ledgerRetentionDays: 10,
        schedules: [
          {
            name: 'nightly',
            expression: 'cron(0 25 * * ? *)',
            timeZone: 'Mars/Olympus',
            payload: { n: 'x' } as unknown as { n: number },
          },
        ],
      });
    expect(attempt).toThrow(JobDeclarationError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('demo: maxConcurrency must be between 2 and 1000 inclusive (given 1)');
    expect(message).toContain(
      'a batchSize above 10 needs a batchingWindowSeconds of at least 1 (given batchSize 50, window 0)',
    );
    expect(message).toContain('ledgerRetentionDays must exceed queue + DLQ retention + redrive window = 25 days');
    expect(message).toContain('Invalid hours field "25" in "cron(0 25 * * ? *)"');
    expect(message).toContain('Invalid time zone "Mars/Olympus"');
    expect(message).toContain('payload field "n"');
  });

  it('refuses a non-UTC time zone on an EventBridge rule', () => {
    expect(() =>
      defineJob({
        ...base,
        schedules: [
          { name: 'r', expression: 'rate(1 hour)', timeZone: 'Europe/Berlin', via: 'rule', payload: { n: 1 } },
        ],
      }),
    ).toThrow('EventBridge rules run in UTC only');
  });

  it('keeps every ledger retention longer than queue + DLQ retention + the redrive window', () => {
    for (const job of allJobs) {
      expect(job.ledgerRetentionDays, job.name).toBeGreaterThan(
        job.queueRetentionDays + job.dlqRetentionDays + job.redriveWindowDays,
      );
      expect(job.dlqRetentionDays, job.name).toBeGreaterThan(job.queueRetentionDays);
    }
  });
});
