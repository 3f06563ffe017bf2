import { describe, expect, it } from 'vitest';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { EffectLog, matrixEnvelope, matrixJob } from '#test/helpers/reliability-jobs';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

describe('Reliability matrix 2: failures in a batch (DynamoDB Local + fauxqs, injected clock)', () => {
  it(
    '2a: a handler that throws transiently lands in the DLQ at exactly its attempt limit, with the ' +
      'attempts recorded',
    async () => {
      const f = await createRuntimeFixture();
      let calls = 0;
      const deps = f.deps(matrixJob, async () => {
        calls++;
        throw new Error(`downstream unavailable (call ${calls})`);
      });
      const results: string[] = [];
      for (let delivery = 1; delivery <= 5; delivery++) {
        const { outcomes, response } = await processBatch(deps, [sqsRecordFactory(matrixEnvelope('always-fails'))]);
        results.push(outcomes[0]!.result);
        // Retried deliveries are batch item failures; the dead-lettered one is acknowledged.
        expect(response.batchItemFailures).toHaveLength(outcomes[0]!.kind === 'retry' ? 1 : 0);
        f.clock.advance(60_000);
      }
      // attempts: 3 → FAILED, FAILED, DEAD; later copies of the DEAD job are duplicates.
      expect(results).toEqual(['FAILED', 'FAILED', 'DEAD', 'DUPLICATE', 'DUPLICATE']);
      expect(calls).toBe(3);
      const run = await f.run(runKey({ job: 'matrix-job', id: 'always-fails' }));
      expect(run).toMatchObject({
        status: 'DEAD',
        attempt: 3,
        deadFence: 3,
        lastError: 'attempts exhausted (3 of 3): Error: downstream unavailable (call 3)',
      });
      expect(((run?.errors ?? []) as { error: string }[]).map((e) => e.error)).toEqual([
        'Error: downstream unavailable (call 1)',
        'Error: downstream unavailable (call 2)',
        'attempts exhausted (3 of 3): Error: downstream unavailable (call 3)',
      ]);
      const letters = await f.drain(f.dlqUrl);
      expect(letters).toHaveLength(1);
      expect(letters[0]?.MessageAttributes?.['sj-attempts']?.StringValue).toBe('3');
      expect(letters[0]?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
        'attempts exhausted (3 of 3): Error: downstream unavailable (call 3)',
      );
      expect(f.metrics.total('JobRetried')).toBe(2);
      expect(f.metrics.total('JobDeadLettered')).toBe(1);
    },
  );

  for (const k of [0, 1, 3, 7, 10]) {
    it(`2b: in a batch of 10 where ${k} fail, only those ${k} come back as batch item failures`, async () => {
      const f = await createRuntimeFixture();
      const effects = new EffectLog();
      const failing = new Set(Array.from({ length: k }, (_, i) => `job-${(i * 3) % 10}`));
      const deps = f.deps(matrixJob, async (_payload, ctx) => {
        if (failing.has(ctx.jobId)) throw new Error('transient');
        effects.record(ctx.jobId);
      });
      const ids = Array.from({ length: 10 }, (_, i) => `job-${i}`);
      const records = ids.map((id) => sqsRecordFactory(matrixEnvelope(id)));
      const { response } = await processBatch(deps, records);
      const failedIds = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      expect([...failedIds].sort()).toEqual(
        records
          .filter((_, i) => failing.has(ids[i]!))
          .map((r) => r.messageId)
          .sort(),
      );
      for (const id of ids) {
        const run = await f.run(runKey({ job: 'matrix-job', id }));
        expect(run, id).toMatchObject(
          failing.has(id) ? { status: 'FAILED', attempt: 1 } : { status: 'SUCCEEDED', attempt: 1 },
        );
        expect(effects.count(id), id).toBe(failing.has(id) ? 0 : 1);
      }
      expect(await f.drain(f.dlqUrl)).toEqual([]);
      // The failed ones come back and succeed; the others are never run again.
      failing.clear();
      f.clock.advance(60_000);
      const retry = await processBatch(
        deps,
        records.filter((r) => failedIds.has(r.messageId)),
      );
      expect(retry.response.batchItemFailures).toEqual([]);
      for (const id of ids) {
        expect(effects.count(id), id).toBe(1);
        expect(await f.run(runKey({ job: 'matrix-job', id }))).toMatchObject({ status: 'SUCCEEDED' });
      }
    });
  }
});
