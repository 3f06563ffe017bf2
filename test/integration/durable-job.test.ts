import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurableJobHandler } from '@serverless-jobs/runtime/durable';
import { defineCallback, defineJob } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { createDurableFixture } from '#test/helpers/durable-fixture';
import { runKey } from '#test/helpers/runtime-fixture';

const notify = defineJob({
  name: 'notify',
  description: 'A target job (test fixture).',
  payload: z.strictObject({ n: z.number() }),
});
const job = defineJob({
  name: 'durable-job',
  description: 'A durable job (test fixture).',
  payload: z.strictObject({ n: z.number() }),
  durable: { executionTimeout: '2d' },
  retry: { attempts: 2, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
  resources: { enqueues: [notify] },
});
const receipt = defineCallback('receipt', z.strictObject({ amountCents: z.number() }));
const receiving = defineJob({
  name: 'receiving-job',
  description: 'A durable job with a declared callback (test fixture).',
  payload: z.strictObject({ n: z.number() }),
  durable: { executionTimeout: '2d', callbacks: [receipt] },
});
const key = (id: string) => runKey({ job: 'durable-job', id });

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment());
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

describe('A durable job (DynamoDB Local, fauxqs, the durable-execution testing SDK)', () => {
  it('runs each step once, enqueues once, and ends SUCCEEDED; a second delivery starts nothing', async () => {
    const effects: string[] = [];
    const handler: DurableJobHandler<unknown, unknown> = async (_payload, ctx) => {
      const reserved = await ctx.step('reserve', async () => {
        effects.push('reserve');
        return 'r-1';
      });
      await ctx.wait('cool-down', '1s');
      await ctx.step('ship', async () => void effects.push(`ship ${reserved}`));
      await ctx.enqueue('notify', { n: 1 }, { id: 'n-1' });
    };
    const f = await createDurableFixture(job, handler, ['notify']);
    const started = await f.deliver('ok', { n: 1 });
    expect(started).toBeDefined();
    const result = await started!.execution;
    expect(result.getStatus()).toBe('SUCCEEDED');
    expect(result.getResult()).toEqual({ status: 'SUCCEEDED' });
    // The wait replays the handler: the steps before it are not run again.
    expect(effects).toEqual(['reserve', 'ship r-1']);
    expect(await f.run(key('ok'))).toMatchObject({ status: 'SUCCEEDED', execution: 'ok', attempt: 1 });
    expect(await f.drain(f.targetUrls.get('notify')!)).toHaveLength(1);
    expect([f.metrics.total('JobStarted'), f.metrics.total('JobSucceeded')]).toEqual([1, 1]);
    expect(await f.deliver('ok', { n: 1 })).toBeUndefined();
  });

  it('dead-letters a run whose step fails for good, with the reason, and fails the execution', async () => {
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      await ctx.step('charge', async () => {
        throw new PermanentJobError('card 4242 refused (given "expired")');
      });
    });
    const result = await (await f.deliver('bad', { n: 1 }))!.execution;
    expect(result.getStatus()).toBe('FAILED');
    expect(await f.run(key('bad'))).toMatchObject({ status: 'DEAD' });
    const [copy, ...more] = await f.drain(f.dlqUrl);
    expect(more).toEqual([]);
    expect(copy?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
      'PermanentJobError: card 4242 refused (given "expired")',
    );
    expect(JSON.parse(copy?.Body ?? '{}')).toMatchObject({ id: 'bad', job: 'durable-job', payload: { n: 1 } });
    expect(f.metrics.total('JobDeadLettered')).toBe(1);
  });

  it('retries a failing step as the job’s retry policy says, then goes on', async () => {
    let tries = 0;
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      await ctx.step('flaky', async () => {
        tries += 1;
        if (tries === 1) throw new Error('timeout talking to the warehouse');
      });
    });
    const result = await (await f.deliver('flaky', { n: 1 }))!.execution;
    expect(result.getStatus()).toBe('SUCCEEDED');
    expect(tries).toBe(2);
    expect(await f.run(key('flaky'))).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('records the callback it waits for, and goes on with its data', async () => {
    const seen: unknown[] = [];
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      const paid = await ctx.waitForCallback('payment', { timeout: '1h' });
      await ctx.step('ship', async () => void seen.push(paid));
    });
    const started = (await f.deliver('paid', { n: 1 }))!;
    const payment = started.runner.getOperation('payment');
    await payment.waitForData(WaitingOperationStatus.SUBMITTED);
    await expect.poll(async () => (await f.run(key('paid')))?.callback).toMatchObject({ name: 'payment' });
    const { callback } = (await f.run(key('paid'))) as { callback: { id: string } };
    expect(callback.id).toBe(payment.getCallbackDetails()?.callbackId);
    // A second delivery meanwhile starts nothing, and is acknowledged rather than returned until the run ends.
    expect(await f.deliver('paid', { n: 1 })).toBeUndefined();
    expect(f.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
    await payment.sendCallbackSuccess(JSON.stringify({ paymentId: 'p-1' }));
    expect((await started.execution).getStatus()).toBe('SUCCEEDED');
    expect(seen).toEqual([{ paymentId: 'p-1' }]);
    expect(await f.run(key('paid'))).not.toHaveProperty('callback');
  });

  it('parses a declared callback’s data with its schema; data that does not match kills the run', async () => {
    const seen: number[] = [];
    const f = await createDurableFixture(receiving, async (_payload, ctx) => {
      const { amountCents } = await ctx.waitForCallback(receipt, { timeout: '1h' });
      await ctx.step('book', async () => void seen.push(amountCents));
    });
    const answer = async (id: string, data: unknown) => {
      const started = (await f.deliver(id, { n: 1 }))!;
      const callback = started.runner.getOperation('receipt');
      await callback.waitForData(WaitingOperationStatus.SUBMITTED);
      await callback.sendCallbackSuccess(JSON.stringify(data));
      return (await started.execution).getStatus();
    };
    expect(await answer('good', { amountCents: 1200 })).toBe('SUCCEEDED');
    expect(seen).toEqual([1200]);
    expect(await answer('bad', { amountCents: 'twelve' })).toBe('FAILED');
    const run = await f.run(runKey({ job: 'receiving-job', id: 'bad' }));
    expect(run).toMatchObject({ status: 'DEAD' });
    expect(run?.lastError).toMatch(
      /^PermanentJobError: callback "receipt": field "amountCents": .*\(given "twelve"\)$/,
    );
    expect(seen).toEqual([1200]);
  });

  it('times a callback out on the runner’s clock: 1 h at 3,600 times the speed is a second', async () => {
    const f = await createDurableFixture(
      job,
      async (_payload, ctx) => {
        try {
          await ctx.waitForCallback('payment', { timeout: '1h' });
        } catch (error) {
          await ctx.step('give-up', async () => (error as Error).name);
          return;
        }
        throw new Error('the callback should have timed out');
      },
      [],
      3600,
    );
    const began = Date.now();
    const result = await (await f.deliver('late', { n: 1 }))!.execution;
    expect(result.getStatus()).toBe('SUCCEEDED');
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(await f.run(key('late'))).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('stops a running run at its next step when cancelled: nothing after it, CANCELLED, no DLQ copy', async () => {
    const effects: string[] = [];
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      await ctx.step('first', async () => void effects.push('first'));
      await ctx.step('cancel', async () => void (await f.cancel('running')));
      await ctx.step('after', async () => void effects.push('after'));
    });
    const result = await (await f.deliver('running', { n: 1 }))!.execution;
    expect(result.getResult()).toEqual({ status: 'CANCELLED' });
    expect(effects).toEqual(['first']);
    expect(await f.run(key('running'))).toMatchObject({ status: 'CANCELLED' });
    expect(await f.drain(f.dlqUrl)).toEqual([]);
    expect(f.metrics.total('JobCancelled')).toBe(1);
  });

  it('ends a run cancelled while it waits for a callback once the callback is failed, with no step after', async () => {
    const effects: string[] = [];
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      try {
        await ctx.waitForCallback('payment', { timeout: '1h' });
      } finally {
        await ctx.step('after', async () => void effects.push('after'));
      }
    });
    const started = (await f.deliver('waiting', { n: 1 }))!;
    const payment = started.runner.getOperation('payment');
    await payment.waitForData(WaitingOperationStatus.SUBMITTED);
    // The cancel says which callback the execution waits for: jobs cancel fails it, so the execution stops at once.
    const callbackId = payment.getCallbackDetails()?.callbackId;
    expect(await f.cancel('waiting')).toEqual({ cancelled: true, was: 'RUNNING', execution: { callbackId } });
    await payment.sendCallbackFailure({ ErrorMessage: 'run cancelled by an operator' });
    expect((await started.execution).getResult()).toEqual({ status: 'CANCELLED' });
    expect(effects).toEqual([]);
    expect(await f.run(key('waiting'))).toMatchObject({ status: 'CANCELLED' });
    expect(await f.drain(f.dlqUrl)).toEqual([]);
  });

  it('never starts a run cancelled while queued', async () => {
    const f = await createDurableFixture(job, async () => {
      throw new Error('must not run');
    });
    await f.cancel('queued');
    expect(await f.deliver('queued', { n: 1 })).toBeUndefined();
    expect(await f.run(key('queued'))).toMatchObject({ status: 'CANCELLED', attempt: 0 });
  });
});
