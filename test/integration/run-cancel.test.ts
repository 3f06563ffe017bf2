import { describe, expect, it } from 'vitest';
import { cancelRun } from '@serverless-jobs/runtime/adapters';
import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { type JobHandler, processBatch } from '@serverless-jobs/runtime/runtime';
import { dynamo } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const notify = defineJob({
  name: 'notify',
  description: 'A target job (test fixture).',
  payload: z.strictObject({ n: z.number() }),
});
const job = defineJob({
  name: 'cancel-job',
  description: 'A job that is cancelled in the middle (test fixture).',
  payload: z.strictObject({ n: z.number() }),
  timeoutSeconds: 60,
  retry: { attempts: 1, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
  resources: { enqueues: [notify] },
});

const key = (id: string) => ({ job: 'cancel-job', id });
const cancel = (f: RuntimeFixture, id: string) => cancelRun(dynamo(), f.ledgerName, key(id), f.clock.now(), 30);
const deliver = (f: RuntimeFixture, handler: JobHandler<unknown, unknown>, id: string) =>
  processBatch(f.deps(job, handler), [sqsRecordFactory({ id, job: 'cancel-job', payload: { n: 1 } })]);

describe('Cancelling a run (DynamoDB Local + fauxqs)', () => {
  it('never starts a queued run: its delivery is acknowledged, not run, retried or dead-lettered', async () => {
    const f = await createRuntimeFixture(['notify']);
    expect(await cancel(f, 'queued')).toEqual({ cancelled: true, was: 'QUEUED' });
    const ran: string[] = [];
    const { response } = await deliver(f, async () => void ran.push('ran'), 'queued');
    expect(ran).toEqual([]);
    expect(response.batchItemFailures).toEqual([]);
    expect(await f.run(runKey(key('queued')))).toMatchObject({ status: 'CANCELLED', attempt: 0 });
    expect(f.metrics.total('JobCancelled')).toBe(1);
    expect(await f.drain(f.dlqUrl)).toEqual([]);
  });

  it('stops a running run at its next checkpoint: nothing after it happens, and it ends CANCELLED', async () => {
    const f = await createRuntimeFixture(['notify']);
    const effects: string[] = [];
    const { response } = await deliver(
      f,
      async (_payload, ctx) => {
        effects.push('before');
        expect(await cancel(f, 'running')).toEqual({ cancelled: true, was: 'RUNNING' });
        await ctx.checkpoint({ page: 2 });
        effects.push('after');
      },
      'running',
    );
    expect(effects).toEqual(['before']);
    expect(response.batchItemFailures).toEqual([]);
    expect(await f.run(runKey(key('running')))).toMatchObject({ status: 'CANCELLED', attempt: 1 });
    expect(f.metrics.total('JobCancelled')).toBe(1);
  });

  it('sends nothing after the cancel: an enqueue finds it first', async () => {
    const f = await createRuntimeFixture(['notify']);
    await deliver(
      f,
      async (_payload, ctx) => {
        await cancel(f, 'enqueuing');
        await ctx.enqueue('notify', { n: 1 }, { id: 'n-1' });
      },
      'enqueuing',
    );
    expect(await f.drain(f.targetUrls.get('notify')!)).toEqual([]);
    expect(await f.run(runKey(key('enqueuing')))).toMatchObject({ status: 'CANCELLED' });
  });

  it('keeps CANCELLED when the handler then returns or fails for good, and dead-letters nothing', async () => {
    const f = await createRuntimeFixture(['notify']);
    await deliver(f, async () => void (await cancel(f, 'returns')), 'returns');
    await deliver(
      f,
      async () => {
        await cancel(f, 'fails');
        throw new Error('downstream failed'); // its last attempt: would be dead-lettered
      },
      'fails',
    );
    expect(await f.run(runKey(key('returns')))).toMatchObject({ status: 'CANCELLED' });
    expect(await f.run(runKey(key('fails')))).toMatchObject({ status: 'CANCELLED' });
    expect(await f.drain(f.dlqUrl)).toEqual([]);
    expect(f.metrics.total('JobCancelled')).toBe(2);
  });

  it('acknowledges a queued run cancelled before its bad payload was seen, with no DLQ copy', async () => {
    const f = await createRuntimeFixture(['notify']);
    await cancel(f, 'bad');
    const { response } = await processBatch(
      f.deps(job, async () => {}),
      [sqsRecordFactory({ id: 'bad', job: 'cancel-job', payload: { n: 'one' } })],
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await f.run(runKey(key('bad')))).toMatchObject({ status: 'CANCELLED' });
    expect(await f.drain(f.dlqUrl)).toEqual([]);
    expect(f.metrics.total('JobCancelled')).toBe(1);
  });

  it('says a finished run is finished and changes nothing', async () => {
    const f = await createRuntimeFixture(['notify']);
    await deliver(f, async () => {}, 'done');
    const before = await f.run(runKey(key('done')));
    expect(await cancel(f, 'done')).toMatchObject({ cancelled: false, status: 'SUCCEEDED' });
    expect(await f.run(runKey(key('done')))).toEqual(before);
  });
});
