import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { leasePk, singletonKey } from '@serverless-jobs/runtime/adapters';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import type { OverlapPolicy } from '@serverless-jobs/runtime/jobs';
import type { JobHandler } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { sqs } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * Overlap: a schedule that fires every minute, and a run that takes longer than a minute. The runtime,
 * the ledger (DynamoDB Local) and the queues (fauxqs) are real; the handler is a gate the test opens.
 */
const MINUTE = 60_000;
const T0 = Date.parse('2027-01-04T10:00:00Z');

function everyMinute(overlap: OverlapPolicy) {
  return defineJob({
    name: `overlap-${overlap.toLowerCase()}`,
    description: 'a schedule whose runs outlast its interval',
    payload: z.strictObject({}),
    timeoutSeconds: 120,
    schedules: [{ name: 'minutely', expression: 'cron(* * * * ? *)', payload: {}, overlap }],
  });
}

const occurrenceAt = (job: string, minute: number, extra: Record<string, unknown> = {}) => {
  const time = new Date(T0 + minute * MINUTE).toISOString().replace('.000Z', 'Z');
  return {
    id: `minutely@${time}`,
    record: sqsRecordFactory({ job, schedule: 'minutely', occurrence: time, timeZone: 'UTC', payload: {}, ...extra }),
  };
};

/** A handler whose runs block until released; `started` lists the job IDs that entered it. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const entered = new Map<string, () => void>();
  const handler: JobHandler<unknown, unknown> = async (_payload, ctx) => {
    started.push(ctx.jobId);
    entered.get(ctx.jobId)?.();
    await new Promise<void>((resolve) => gates.set(ctx.jobId, resolve));
  };
  return {
    handler,
    started,
    /** Resolves once the run of `id` is inside the handler. */
    whenStarted: (id: string) =>
      started.includes(id) ? Promise.resolve() : new Promise<void>((resolve) => entered.set(id, resolve)),
    finish: (id: string) => gates.get(id)!(),
  };
}

async function status(f: RuntimeFixture, job: string, id: string): Promise<Record<string, unknown> | undefined> {
  return f.run(runKey({ job, id }));
}

/**
 * A fixture with the first occurrence (minute 0, or `first` when given) inside the handler, not finished:
 * the run that the next occurrences overlap.
 */
async function withFirstRunning(
  overlap: OverlapPolicy,
  options: { at?: string; first?: ReturnType<typeof occurrenceAt>; ownQueue?: boolean } = {},
) {
  const job = everyMinute(overlap);
  const f = await createRuntimeFixture(options.ownQueue ? [job.name] : []);
  const gate = gatedHandler();
  const deps = f.deps(job, gate.handler);
  f.clock.set(options.at ?? '2027-01-04T10:00:05Z');
  const a = options.first ?? occurrenceAt(job.name, 0);
  const first = processBatch(deps, [a.record]);
  await gate.whenStarted(a.id);
  return { job, f, gate, deps, a, first };
}

describe('Overlap policy per schedule (a run longer than the interval)', () => {
  it(
    'skip: an occurrence that arrives while the previous one is RUNNING is SKIPPED with the reason; ' +
      'the next one after it runs',
    async () => {
      const { job, f, gate, deps, a, first } = await withFirstRunning('skip');

      f.clock.advance(MINUTE);
      const b = occurrenceAt(job.name, 1);
      expect((await processBatch(deps, [b.record])).outcomes).toEqual([{ kind: 'ack', result: 'SKIPPED' }]);
      const skipped = await status(f, job.name, b.id);
      expect(skipped).toMatchObject({
        status: 'SKIPPED',
        attempt: 0,
        schedule: 'minutely',
        occurrence: '2027-01-04T10:01:00Z',
      });
      expect(skipped!.reason).toBe(`overlap skip: ${a.id} is RUNNING (lease until 2027-01-04T10:02:35.000Z)`);

      gate.finish(a.id);
      expect((await first).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      f.clock.advance(MINUTE);
      const c = occurrenceAt(job.name, 2);
      const third = processBatch(deps, [c.record]);
      await gate.whenStarted(c.id);
      gate.finish(c.id);
      expect((await third).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(gate.started).toEqual([a.id, c.id]);
      expect(f.metrics.total('JobSkipped')).toBe(1);
    },
  );

  it(
    'skip, after a crash: an expired lease no longer blocks, and the crashed run cannot release the ' +
      'lease its successor holds (fencing token)',
    async () => {
      const { job, f, gate, deps, a, first: zombie } = await withFirstRunning('skip');
      // The invocation of A is gone (timeout, crash); its lease (120 s + 30 s grace) runs out.
      f.clock.advance(3 * MINUTE);
      const d = occurrenceAt(job.name, 3);
      const fourth = processBatch(deps, [d.record]);
      await gate.whenStarted(d.id);
      const lease = await f.run(singletonKey(leasePk(job.name, 'minutely')));
      expect(lease).toMatchObject({ holder: d.id, token: 2 });

      gate.finish(a.id); // the zombie finishes and tries to release with token 1
      await zombie;
      expect(await f.run(singletonKey(leasePk(job.name, 'minutely')))).toMatchObject({ holder: d.id, token: 2 });
      f.clock.advance(MINUTE);
      const e = occurrenceAt(job.name, 4);
      expect((await processBatch(deps, [e.record])).outcomes).toEqual([{ kind: 'ack', result: 'SKIPPED' }]);
      gate.finish(d.id);
      expect((await fourth).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(gate.started).toEqual([a.id, d.id]);
    },
  );

  it(
    'bufferOne: the next occurrence waits (PENDING, no attempt spent) and runs once the current run ' +
      'finishes; a later one meanwhile is SKIPPED',
    async () => {
      const { job, f, gate, deps, a, first } = await withFirstRunning('bufferOne', { ownQueue: true });

      f.clock.advance(MINUTE);
      const b = occurrenceAt(job.name, 1);
      expect((await processBatch(deps, [b.record])).outcomes).toEqual([{ kind: 'ack', result: 'BUFFERED' }]);
      expect(await status(f, job.name, b.id)).toMatchObject({
        status: 'PENDING',
        attempt: 0,
        reason: `overlap bufferOne: waiting, ${a.id} is RUNNING (lease until 2027-01-04T10:02:35.000Z)`,
      });
      // Its fresh copy waits in the queue, delayed, instead of spending the message's receive count.
      const { Attributes } = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: f.targetUrls.get(job.name)!,
          AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
        }),
      );
      expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');

      f.clock.advance(MINUTE);
      const c = occurrenceAt(job.name, 2);
      expect((await processBatch(deps, [c.record])).outcomes).toEqual([{ kind: 'ack', result: 'SKIPPED' }]);
      expect((await status(f, job.name, c.id))!.reason).toBe(
        `overlap bufferOne: ${a.id} is RUNNING (lease until 2027-01-04T10:02:35.000Z), and ${b.id} is buffered already`,
      );

      // B comes back while A still runs: it waits again.
      f.clock.advance(30_000);
      expect((await processBatch(deps, [b.record])).outcomes).toEqual([{ kind: 'ack', result: 'BUFFERED' }]);
      gate.finish(a.id);
      expect((await first).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      f.clock.advance(30_000);
      const second = processBatch(deps, [b.record]);
      await gate.whenStarted(b.id);
      gate.finish(b.id);
      expect((await second).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(await status(f, job.name, b.id)).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
      expect(gate.started).toEqual([a.id, b.id]);
      expect(await f.run(singletonKey(leasePk(job.name, 'minutely')))).not.toHaveProperty('buffered');
    },
  );

  it(
    'skip, for occurrences that backfill or catch-up enqueued (waitTurn): each waits its turn ' +
      'instead of being skipped, and all run',
    async () => {
      const [a, b, c] = [0, 1, 2].map((minute) => occurrenceAt('overlap-skip', minute, { waitTurn: true }));
      const { job, f, gate, deps, first } = await withFirstRunning('skip', {
        at: '2027-01-04T12:00:00Z',
        first: a!,
        ownQueue: true,
      });
      expect((await processBatch(deps, [b!.record, c!.record])).outcomes).toEqual([
        { kind: 'ack', result: 'BUFFERED' },
        { kind: 'ack', result: 'BUFFERED' },
      ]);
      expect(await status(f, job.name, c!.id)).toMatchObject({
        status: 'PENDING',
        attempt: 0,
        reason:
          `overlap skip: waiting its turn (a retry, catch-up or backfill), ${a!.id} is RUNNING ` +
          `(lease until 2027-01-04T12:02:30.000Z)`,
      });
      const { Attributes } = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: f.targetUrls.get(job.name)!,
          AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
        }),
      );
      expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe('2'); // their copies, delayed 30 s
      gate.finish(a!.id);
      await first;
      for (const next of [b!, c!]) {
        const run = processBatch(deps, [next.record]);
        await gate.whenStarted(next.id);
        gate.finish(next.id);
        expect((await run).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      }
      expect(gate.started).toEqual([a!.id, b!.id, c!.id]);
    },
  );

  it('allow: occurrences run concurrently, with no lease written', async () => {
    const { job, f, gate, deps, a, first } = await withFirstRunning('allow');
    f.clock.advance(MINUTE);
    const b = occurrenceAt(job.name, 1);
    const second = processBatch(deps, [b.record]);
    await gate.whenStarted(b.id);
    expect(await status(f, job.name, a.id)).toMatchObject({ status: 'RUNNING' });
    expect(await status(f, job.name, b.id)).toMatchObject({ status: 'RUNNING' });
    gate.finish(b.id);
    gate.finish(a.id);
    expect([(await first).outcomes, (await second).outcomes]).toEqual([
      [{ kind: 'ack', result: 'SUCCEEDED' }],
      [{ kind: 'ack', result: 'SUCCEEDED' }],
    ]);
    expect(await f.run(singletonKey(leasePk(job.name, 'minutely')))).toBeUndefined();
  });
});
