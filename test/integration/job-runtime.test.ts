import { describe, expect, it } from 'vitest';
import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const job = defineJob({
  name: 'test-job',
  description: 'A job for the runtime tests.',
  payload: z.strictObject({
    n: z.number().check(z.int()),
    mode: z._default(z.enum(['ok', 'transient', 'permanent']), 'ok'),
  }),
  timeoutSeconds: 30,
  retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 900, jitter: 0.2 } },
});

const envelope = (id: string, payload: unknown) => ({ id, job: 'test-job', payload });

async function handlerFor(mode: string): Promise<void> {
  if (mode === 'transient') throw new Error('downstream timed out');
  if (mode === 'permanent') throw new PermanentJobError('order is cancelled');
}

describe('Function: processBatch (DynamoDB Local + fauxqs, injected clock)', () => {
  it('marks a run SUCCEEDED and acknowledges it when the handler succeeds', async () => {
    const f = await createRuntimeFixture();
    const calls: number[] = [];
    const { response } = await processBatch(
      f.deps(job, async (p) => void calls.push((p as { n: number }).n)),
      [sqsRecordFactory(envelope('a', { n: 1 }))],
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([1]);
    expect(await f.run(runKey({ job: 'test-job', id: 'a' }))).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      fence: 1,
      startedAt: '2026-11-24T08:00:00.000Z',
    });
    expect(f.metrics.total('JobStarted')).toBe(1);
    expect(f.metrics.total('JobSucceeded')).toBe(1);
  });

  it(
    'gives the ledger, the metric and the log one duration: a handler that commits its run stops ' + 'the clock then',
    async () => {
      const f = await createRuntimeFixture();
      const logged: unknown[] = [];
      const logger = {
        debug: (message: string, extra?: unknown) => void logged.push([message, extra]),
        info: () => {},
        warn: () => {},
        error: () => {},
      };
      const deps = f.deps(
        job,
        async (_payload, ctx) => {
          f.clock.advance(100);
          await ctx.completeWith((completion) => f.ledger.succeed(completion));
          f.clock.advance(150); // after-commit work, such as enqueueing a confirmation
        },
        { logger: { ...logger, child: () => logger } },
      );
      await processBatch(deps, [sqsRecordFactory(envelope('c', { n: 1 }))]);
      expect(await f.run(runKey({ job: 'test-job', id: 'c' }))).toMatchObject({ status: 'SUCCEEDED', durationMs: 100 });
      expect(f.metrics.values.get('JobDuration')).toEqual([100]);
      expect(logged).toContainEqual(['Job succeeded', { durationMs: 100 }]);
    },
  );

  it('names the runs that succeeded in one INFO line per batch, and counts the other outcomes', async () => {
    const f = await createRuntimeFixture();
    const lines: [string, string, Record<string, unknown>][] = [];
    const at =
      (level: string) =>
      (message: string, extra: Record<string, unknown> = {}) =>
        void lines.push([level, message, extra]);
    const logger = { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
    const deps = f.deps(job, (p) => handlerFor((p as { mode: string }).mode), {
      logger: { ...logger, child: () => logger },
    });
    await processBatch(deps, [
      sqsRecordFactory(envelope('s-1', { n: 1 })),
      sqsRecordFactory(envelope('s-2', { n: 2, mode: 'transient' })),
      sqsRecordFactory(envelope('s-3', { n: 3 })),
    ]);
    const info = lines.filter(([level]) => level === 'INFO');
    expect(info).toEqual([['INFO', 'Batch settled', { succeeded: ['s-1', 's-3'], others: { FAILED: 1 } }]]);
    expect(lines.filter(([, message]) => message === 'Job succeeded').map(([level]) => level)).toEqual([
      'DEBUG',
      'DEBUG',
    ]);
    expect(lines.map(([level, message]) => `${level} ${message}`)).toContain('WARN Job failed; it will be retried');
  });

  it('acknowledges a duplicate delivery without running the handler again, and counts it', async () => {
    const f = await createRuntimeFixture();
    let runs = 0;
    const deps = f.deps(job, async () => void runs++);
    await processBatch(deps, [sqsRecordFactory(envelope('dup', { n: 1 }))]);
    const { response } = await processBatch(deps, [sqsRecordFactory(envelope('dup', { n: 1 }))]);
    expect(response.batchItemFailures).toEqual([]);
    expect(runs).toBe(1);
    expect(f.metrics.total('JobDuplicate')).toBe(1);
  });

  it('hands a message back until the lease expires when the run is in progress elsewhere', async () => {
    const f = await createRuntimeFixture();
    await f.ledger.claim({
      key: { job: 'test-job', id: 'busy' },
      now: f.clock.now(),
      leaseExpiresAt: f.clock.now() + 60_000,
      expiresAt: f.clock.now() + 1e9,
    });
    let runs = 0;
    const record = sqsRecordFactory(envelope('busy', { n: 1 }));
    const { response, outcomes } = await processBatch(
      f.deps(job, async () => void runs++),
      [record],
    );
    expect(runs).toBe(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(outcomes[0]).toEqual({ kind: 'retry', result: 'BUSY', visibilitySeconds: 61 });
    expect(await f.run(runKey({ job: 'test-job', id: 'busy' }))).toMatchObject({ status: 'RUNNING', attempt: 1 });
  });

  it('marks FAILED and retries after backoff(attempt) when the handler throws a transient error', async () => {
    const f = await createRuntimeFixture();
    const record = sqsRecordFactory(envelope('t', { n: 1, mode: 'transient' }));
    const { response, outcomes } = await processBatch(
      f.deps(job, (p) => handlerFor((p as { mode: string }).mode)),
      [record],
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // exponential 10 s at attempt 1, jitter 0.2 × random 0.5 takes 10 % off
    expect(outcomes[0]).toEqual({ kind: 'retry', result: 'FAILED', visibilitySeconds: 9 });
    const run = await f.run(runKey({ job: 'test-job', id: 't' }));
    expect(run).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      lastError: 'Error: downstream timed out',
      retryAt: '2026-11-24T08:00:09.000Z',
    });
    expect(run?.errors).toHaveLength(1);
    expect(f.metrics.total('JobRetried')).toBe(1);
  });

  it('dead-letters with the reason when the handler throws a PermanentJobError', async () => {
    const f = await createRuntimeFixture();
    const { response } = await processBatch(
      f.deps(job, (p) => handlerFor((p as { mode: string }).mode)),
      [sqsRecordFactory(envelope('p', { n: 1, mode: 'permanent' }))],
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await f.run(runKey({ job: 'test-job', id: 'p' }))).toMatchObject({ status: 'DEAD', deadFence: 1 });
    const [letter, ...rest] = await f.drain(f.dlqUrl);
    expect(rest).toEqual([]);
    expect(letter?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
      'permanent failure: PermanentJobError: order is cancelled',
    );
    expect(letter?.MessageAttributes?.['sj-attempts']?.StringValue).toBe('1');
    expect(JSON.parse(letter?.Body ?? '{}')).toEqual(envelope('p', { n: 1, mode: 'permanent' }));
  });

  it('dead-letters at exactly the attempt limit, with the attempts recorded', async () => {
    const f = await createRuntimeFixture();
    const deps = f.deps(job, (p) => handlerFor((p as { mode: string }).mode));
    const results = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { outcomes } = await processBatch(deps, [sqsRecordFactory(envelope('x', { n: 1, mode: 'transient' }))]);
      results.push(outcomes[0]?.kind === 'ack' ? outcomes[0].result : outcomes[0]?.result);
      f.clock.advance(60_000);
    }
    expect(results).toEqual(['FAILED', 'FAILED', 'DEAD']);
    expect(await f.run(runKey({ job: 'test-job', id: 'x' }))).toMatchObject({ status: 'DEAD', attempt: 3 });
    const letters = await f.drain(f.dlqUrl);
    expect(letters.map((l) => l.MessageAttributes?.['sj-attempts']?.StringValue)).toEqual(['3']);
    expect(letters[0]?.MessageAttributes?.['sj-reason']?.StringValue).toMatch(
      /^attempts exhausted \(3 of 3\): Error: downstream timed out/,
    );
  });

  it('sends a bad payload to the DLQ naming the field and value, and runs its valid siblings', async () => {
    const f = await createRuntimeFixture();
    const seen: number[] = [];
    const records = [
      sqsRecordFactory(envelope('good-1', { n: 1 })),
      sqsRecordFactory(envelope('bad', { n: 'seven' })),
      sqsRecordFactory('not json {'),
      sqsRecordFactory(envelope('good-2', { n: 2 })),
    ];
    const { response } = await processBatch(
      f.deps(job, async (p) => void seen.push((p as { n: number }).n)),
      records,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(seen.sort()).toEqual([1, 2]);
    const reasons = (await f.drain(f.dlqUrl)).map((l) => l.MessageAttributes?.['sj-reason']?.StringValue).sort();
    expect(reasons).toEqual([
      'invalid message: body is not JSON (given "not json {")',
      'invalid payload: field "n": Invalid input: expected number, received string (given "seven")',
    ]);
    expect(await f.run(runKey({ job: 'test-job', id: 'bad' }))).toMatchObject({ status: 'DEAD', attempt: 0 });
  });

  it('hands unstarted records back without spending an attempt when the time is low', async () => {
    const f = await createRuntimeFixture();
    let remaining = 30_000;
    let runs = 0;
    const deps = f.deps(
      job,
      async () => {
        runs++;
        remaining = 1_000;
      },
      { remainingMs: () => remaining },
    );
    const records = [
      sqsRecordFactory(envelope('r1', { n: 1 })),
      sqsRecordFactory(envelope('r2', { n: 2 })),
      sqsRecordFactory(envelope('r3', { n: 3 })),
    ];
    const { response, outcomes } = await processBatch({ ...deps, job: { ...job, recordConcurrency: 1 } }, records);
    expect(runs).toBe(1);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[1]!.messageId,
      records[2]!.messageId,
    ]);
    expect(outcomes.slice(1)).toEqual([
      { kind: 'retry', result: 'HANDED_BACK', visibilitySeconds: 0 },
      { kind: 'retry', result: 'HANDED_BACK', visibilitySeconds: 0 },
    ]);
    expect(await f.run(runKey({ job: 'test-job', id: 'r2' }))).toBeUndefined();
  });

  it('reclaims a run whose lease expired, with a higher fence, and fences out the old holder', async () => {
    const f = await createRuntimeFixture();
    const key = { job: 'test-job', id: 'lease' };
    const first = await f.ledger.claim({
      key,
      now: f.clock.now(),
      leaseExpiresAt: f.clock.now() + 10_000,
      expiresAt: f.clock.now() + 1e9,
    });
    f.clock.advance(10_001);
    const second = await f.ledger.claim({
      key,
      now: f.clock.now(),
      leaseExpiresAt: f.clock.now() + 10_000,
      expiresAt: f.clock.now() + 1e9,
    });
    expect(first).toMatchObject({ outcome: 'claimed', attempt: 1, fence: 1 });
    expect(second).toMatchObject({ outcome: 'claimed', attempt: 2, fence: 2 });
    expect(await f.ledger.succeed({ key, fence: 1, finishedAt: f.clock.now(), durationMs: 1 })).toBe(false);
    expect(await f.ledger.succeed({ key, fence: 2, finishedAt: f.clock.now(), durationMs: 1 })).toBe(true);
  });

  it('dead-letters without running when a crashed run already used its last attempt', async () => {
    const f = await createRuntimeFixture();
    const key = { job: 'test-job', id: 'crashed' };
    for (let i = 0; i < 3; i++) {
      await f.ledger.claim({
        key,
        now: f.clock.now(),
        leaseExpiresAt: f.clock.now() + 1_000,
        expiresAt: f.clock.now() + 1e9,
      });
      f.clock.advance(2_000);
    }
    let runs = 0;
    const { outcomes } = await processBatch(
      f.deps(job, async () => void runs++),
      [sqsRecordFactory(envelope('crashed', { n: 1 }))],
    );
    expect(runs).toBe(0);
    expect(outcomes[0]).toEqual({ kind: 'ack', result: 'DEAD' });
    expect((await f.drain(f.dlqUrl))[0]?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
      'attempts exhausted (3 of 3) without completing',
    );
  });

  it('runs a job redriven from the DLQ once more, and only once', async () => {
    const f = await createRuntimeFixture();
    let fixed = false;
    const deps = f.deps(job, async () => {
      if (!fixed) throw new PermanentJobError('bug');
    });
    await processBatch(deps, [sqsRecordFactory(envelope('redrive', { n: 1 }))]);
    const [letter] = await f.drain(f.dlqUrl);
    const attributes = Object.fromEntries(
      Object.entries(letter?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
    );
    fixed = true;
    f.clock.advance(5 * 86_400_000);
    const redriven = sqsRecordFactory(letter?.Body ?? '', { attributes });
    const first = await processBatch(deps, [redriven]);
    const again = await processBatch(deps, [sqsRecordFactory(letter?.Body ?? '', { attributes })]);
    expect(first.outcomes[0]).toEqual({ kind: 'ack', result: 'SUCCEEDED' });
    expect(again.outcomes[0]).toEqual({ kind: 'ack', result: 'DUPLICATE' });
    expect(await f.run(runKey({ job: 'test-job', id: 'redrive' }))).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      redrives: 1,
      fence: 2,
    });
  });

  it('runs a rejected message once when its DLQ copy is redriven after the producer is fixed', async () => {
    const f = await createRuntimeFixture();
    let runs = 0;
    const deps = f.deps(job, async () => void runs++);
    await processBatch(deps, [sqsRecordFactory(envelope('fixed-later', { n: 'seven' }))]);
    const [letter] = await f.drain(f.dlqUrl);
    const attributes = Object.fromEntries(
      Object.entries(letter?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
    );
    expect(attributes['sj-dead-fence']).toBe('0');
    // The operator fixes the payload on redrive (the body is what a fixed producer would have sent).
    const redriven = sqsRecordFactory(envelope('fixed-later', { n: 7 }), { attributes });
    expect((await processBatch(deps, [redriven])).outcomes[0]).toEqual({ kind: 'ack', result: 'SUCCEEDED' });
    expect(
      (await processBatch(deps, [sqsRecordFactory(envelope('fixed-later', { n: 7 }), { attributes })])).outcomes[0],
    ).toEqual({ kind: 'ack', result: 'DUPLICATE' });
    expect(runs).toBe(1);
  });

  it('does not acknowledge a record when the ledger fails, and spends no attempt on it', async () => {
    const f = await createRuntimeFixture();
    const broken = {
      ...f.ledger,
      claim: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
    } as unknown as typeof f.ledger;
    const record = sqsRecordFactory(envelope('ddb-down', { n: 1 }));
    const { response, outcomes } = await processBatch(
      f.deps(job, async () => {}, { ledger: broken }),
      [record],
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // backoff(1): 10 s less 10 % jitter; a later delivery waits longer.
    expect(outcomes[0]).toEqual({ kind: 'retry', result: 'ERROR', visibilitySeconds: 9 });
    const fourth = sqsRecordFactory(envelope('ddb-down', { n: 1 }));
    fourth.attributes.ApproximateReceiveCount = '4';
    expect(
      (
        await processBatch(
          f.deps(job, async () => {}, { ledger: broken }),
          [fourth],
        )
      ).outcomes[0],
    ).toEqual({ kind: 'retry', result: 'ERROR', visibilitySeconds: 72 });
    expect(await f.run(runKey({ job: 'test-job', id: 'ddb-down' }))).toBeUndefined();
  });

  it('derives the job ID of a scheduled occurrence, so a second firing is a duplicate', async () => {
    const f = await createRuntimeFixture();
    let runs = 0;
    const deps = f.deps(job, async () => void runs++);
    const occurrence = {
      job: 'test-job',
      schedule: 'nightly',
      occurrence: '2026-11-24T02:00:00Z',
      timeZone: 'Europe/Berlin',
      payload: { n: 1 },
    };
    await processBatch(deps, [sqsRecordFactory(occurrence)]);
    await processBatch(deps, [sqsRecordFactory(occurrence)]);
    expect(runs).toBe(1);
    expect(await f.run(runKey({ job: 'test-job', id: 'nightly@2026-11-24T02:00:00Z' }))).toMatchObject({
      status: 'SUCCEEDED',
      schedule: 'nightly',
    });
  });
});
