import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';

/** A job for the reliability matrix: its handler's behaviour is chosen by each test. */
export const matrixJob = defineJob({
  name: 'matrix-job',
  description: 'A job for the reliability matrix tests.',
  payload: z.strictObject({ n: z.number().check(z.int()) }),
  timeoutSeconds: 30,
  batchSize: 10,
  maxConcurrency: 2,
  retry: { attempts: 3, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
});

export const matrixEnvelope = (id: string, n = 1) => ({ id, job: 'matrix-job', payload: { n } });

/** Side effects per job ID, as an external system would see them. */
export class EffectLog {
  readonly effects = new Map<string, number>();

  record(jobId: string): void {
    this.effects.set(jobId, (this.effects.get(jobId) ?? 0) + 1);
  }

  count(jobId: string): number {
    return this.effects.get(jobId) ?? 0;
  }
}
