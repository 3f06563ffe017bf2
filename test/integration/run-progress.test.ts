import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { toRunView } from '@serverless-jobs/cli/ops';
import type { DynamoDbRunLedger } from '@serverless-jobs/runtime/adapters';
import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { type JobHandler, PROGRESS_INTERVAL_MS, processBatch } from '@serverless-jobs/runtime/runtime';
import { dynamo } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const job = defineJob({
  name: 'progress-job',
  description: 'Reports its progress (test fixture).',
  payload: z.strictObject({ items: z.number() }),
  timeoutSeconds: 60,
  retry: { attempts: 2, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
});

const key = (id: string) => runKey({ job: 'progress-job', id });

/** The fixture's ledger, counting the progress writes that reach DynamoDB. */
function countingLedger(f: RuntimeFixture): { ledger: DynamoDbRunLedger; writes: () => number } {
  let writes = 0;
  const ledger = new Proxy(f.ledger, {
    get(target, property) {
      if (property === 'progress')
        return (...args: Parameters<DynamoDbRunLedger['progress']>) => {
          writes++;
          return target.progress(...args);
        };
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ledger, writes: () => writes };
}

const run = (f: RuntimeFixture, handler: JobHandler<unknown, unknown>, ledger = f.ledger, id = 'p-1') =>
  processBatch(f.deps(job, handler, { ledger }), [
    sqsRecordFactory({ id, job: 'progress-job', payload: { items: 10 } }),
  ]);

describe('ctx.progress (DynamoDB Local, injected clock)', () => {
  it('writes the first report and then at most one per interval, keeping the run RUNNING until it ends', async () => {
    const f = await createRuntimeFixture();
    const counted = countingLedger(f);
    const seen: unknown[] = [];
    await run(
      f,
      async (_payload, ctx) => {
        await ctx.progress(1, 10, 'first');
        for (let done = 2; done <= 4; done++) {
          f.clock.advance(1_000);
          await ctx.progress(done, 10); // within the interval: not written
        }
        seen.push((await f.run(key('p-1')))?.progress);
        f.clock.advance(PROGRESS_INTERVAL_MS - 3_000);
        await ctx.progress(5, 10, 'half way');
        seen.push((await f.run(key('p-1')))?.progress);
      },
      counted.ledger,
    );
    expect(counted.writes()).toBe(2);
    expect(seen).toEqual([
      { done: 1, total: 10, note: 'first', at: '2026-11-24T08:00:00.000Z' },
      { done: 5, total: 10, note: 'half way', at: '2026-11-24T08:00:05.000Z' },
    ]);
    // As `jobs runs` and the dashboard read it back.
    const { Item } = await dynamo().send(
      new GetItemCommand({ TableName: f.ledgerName, Key: key('p-1'), ConsistentRead: true }),
    );
    expect(toRunView(Item!)).toMatchObject({
      status: 'SUCCEEDED',
      progress: { done: 5, total: 10, note: 'half way', at: '2026-11-24T08:00:05.000Z' },
    });
  });

  it('writes nothing for a job that never reports', async () => {
    const f = await createRuntimeFixture();
    const counted = countingLedger(f);
    await run(f, async () => {}, counted.ledger);
    expect(counted.writes()).toBe(0);
    expect(await f.run(key('p-1'))).not.toHaveProperty('progress');
  });

  it('fails the run for good on a bad report, naming the argument and the value', async () => {
    const f = await createRuntimeFixture();
    await run(f, async (_payload, ctx) => ctx.progress(-1, 10));
    const dead = await f.run(key('p-1'));
    expect(dead).toMatchObject({ status: 'DEAD' });
    expect(String(dead?.lastError)).toContain('ctx.progress: done must be a finite number of at least 0 (given -1)');
    const [copy] = await f.drain(f.dlqUrl);
    expect(copy?.MessageAttributes?.['sj-reason']?.StringValue).toContain('ctx.progress: done must be');
  });

  it('is fenced: an attempt that lost its run cannot write over the one that holds it', async () => {
    const f = await createRuntimeFixture();
    const now = f.clock.now();
    const runKey = { job: 'progress-job', id: 'fenced' };
    await f.ledger.claim({ key: runKey, now, leaseExpiresAt: now + 1, expiresAt: now + 86_400_000 });
    await f.ledger.claim({ key: runKey, now: now + 2, leaseExpiresAt: now + 60_000, expiresAt: now + 86_400_000 });
    expect(await f.ledger.progress(runKey, 1, { done: 1, total: 2, at: now })).toBe(false);
    expect(await f.ledger.progress(runKey, 2, { done: 2, total: 2, at: now })).toBe(true);
    expect(await f.run(key('fenced'))).toMatchObject({ progress: { done: 2, total: 2 } });
  });
});
