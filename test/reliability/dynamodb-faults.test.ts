import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { uniqueName } from '#test/helpers/aws';
import { type FaultOptions, injectFault, ledgerWrite, throttlingError } from '#test/helpers/fault-injection';
import { createOrderFixture } from '#test/helpers/order-fixture';
import { EffectLog, matrixEnvelope, matrixJob } from '#test/helpers/reliability-jobs';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/** How many times the SDK tries a request (standard retry mode); a fault repeated this often surfaces. */
const SDK_ATTEMPTS = await new DynamoDBClient({}).config.maxAttempts();

/** A runtime whose ledger client fails as told; the handler records one effect per completed call. */
async function faulty(options: FaultOptions) {
  const client = new DynamoDBClient({});
  const fault = injectFault(client, options);
  const f = await createRuntimeFixture([], client);
  const effects = new EffectLog();
  let fail = false;
  const deps = f.deps(matrixJob, async (_payload, ctx) => {
    effects.record(ctx.jobId);
    if (fail) throw new Error('handler failed');
  });
  const id = uniqueName('fault');
  const deliver = () => processBatch(deps, [sqsRecordFactory(matrixEnvelope(id))]);
  const run = () => f.run(runKey({ job: 'matrix-job', id }));
  return { f, fault, effects, deliver, run, id, failHandler: (value: boolean) => (fail = value) };
}

describe(
  'Reliability matrix 9: DynamoDB faults during the claim or the completion (SDK middleware, ' + 'DynamoDB Local)',
  () => {
    it("9a: one throttled claim is absorbed by the SDK's retries: one run, one effect", async () => {
      const { fault, effects, deliver, run, id } = await faulty({
        match: ledgerWrite.claim,
        times: 1,
        layer: 'inside-retries',
        error: throttlingError,
      });
      const { outcomes } = await deliver();
      expect(fault.thrown()).toBe(1);
      expect(fault.seen()).toBe(2);
      expect(outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(effects.count(id)).toBe(1);
      expect(await run()).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
    });

    it(
      '9b: a claim that fails more often than the SDK retries surfaces, is not acknowledged, spends ' +
        'no attempt, and succeeds on redelivery',
      async () => {
        const { f, fault, effects, deliver, run, id } = await faulty({
          match: ledgerWrite.claim,
          times: SDK_ATTEMPTS,
          layer: 'inside-retries',
          error: throttlingError,
        });
        const first = await deliver();
        expect(fault.thrown()).toBe(SDK_ATTEMPTS); // every try of the SDK met the fault
        expect(first.outcomes[0]).toMatchObject({ kind: 'retry', result: 'ERROR' });
        expect(first.response.batchItemFailures).toHaveLength(1);
        expect(effects.count(id)).toBe(0);
        expect(await run()).toBeUndefined();
        f.clock.advance(10_000);
        expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
        expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
        expect(effects.count(id)).toBe(1);
        expect(await run()).toMatchObject({ status: 'SUCCEEDED', attempt: 1, fence: 1 });
        expect(await f.drain(f.dlqUrl)).toEqual([]);
      },
    );

    it('9c: a claim written but whose response is lost: the run waits for its lease, then runs once', async () => {
      const { f, fault, effects, deliver, run, id } = await faulty({
        match: ledgerWrite.claim,
        times: 1,
        when: 'after',
      });
      const first = await deliver();
      expect(fault.thrown()).toBe(1);
      expect(first.outcomes[0]).toMatchObject({ kind: 'retry', result: 'ERROR' });
      expect(await run()).toMatchObject({ status: 'RUNNING', attempt: 1, fence: 1 });
      expect((await deliver()).outcomes[0]).toMatchObject({ kind: 'retry', result: 'BUSY' });
      expect(effects.count(id)).toBe(0);
      f.clock.advance(61_000);
      expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(effects.count(id)).toBe(1);
      expect(await run()).toMatchObject({ status: 'SUCCEEDED', attempt: 2, fence: 2 });
      expect(await f.drain(f.dlqUrl)).toEqual([]);
    });

    it("9d: one failed completion write is absorbed by the SDK's retries: one run, one effect", async () => {
      const { fault, effects, deliver, run, id } = await faulty({
        match: ledgerWrite.completion,
        times: 1,
        layer: 'inside-retries',
      });
      expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(fault.thrown()).toBe(1);
      expect(effects.count(id)).toBe(1);
      expect(await run()).toMatchObject({ status: 'SUCCEEDED', attempt: 1, fence: 1 });
    });

    it(
      '9e: a failed FAILED-write (after a handler error) surfaces; the run is reclaimed after its ' +
        'lease and nothing is lost',
      async () => {
        const failWrite = ({ command, input }: { command: string; input: Record<string, unknown> }) =>
          command === 'UpdateItemCommand' && String(input.UpdateExpression ?? '').startsWith('SET #status = :status');
        const { f, fault, effects, deliver, run, id, failHandler } = await faulty({ match: failWrite, times: 1 });
        failHandler(true);
        const first = await deliver();
        expect(fault.thrown()).toBe(1);
        expect(first.outcomes[0]).toMatchObject({ kind: 'retry', result: 'ERROR' });
        expect(await run()).toMatchObject({ status: 'RUNNING', attempt: 1 });
        failHandler(false);
        f.clock.advance(61_000);
        expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
        expect(await run()).toMatchObject({ status: 'SUCCEEDED', attempt: 2, fence: 2 });
        expect(effects.count(id)).toBe(2); // one failed call, one successful one
      },
    );

    it(
      '9f: process-order: its completion transaction fails N times: the error surfaces, and the order ' +
        'is processed and confirmed exactly once',
      async () => {
        const client = new DynamoDBClient({});
        const fault = injectFault(client, {
          match: ledgerWrite.transaction,
          times: SDK_ATTEMPTS,
          layer: 'inside-retries',
          error: throttlingError,
        });
        const { f, deps, order, orderId, record, confirmations } = await createOrderFixture(client);
        const deliver = () => processBatch(deps, [record()]);
        const first = await deliver();
        expect(fault.thrown()).toBe(SDK_ATTEMPTS);
        expect(first.response.batchItemFailures).toHaveLength(1);
        expect(await order()).toMatchObject({ status: 'PENDING' });
        expect(await f.run(runKey({ job: 'process-order', id: `order/${orderId}` }))).toMatchObject({
          status: 'FAILED',
          attempt: 1,
        });
        f.clock.advance(60_000);
        expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
        expect((await deliver()).outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
        expect(await order()).toMatchObject({ status: 'PROCESSED' });
        expect(new Set(await confirmations())).toEqual(new Set([`order-confirmation/${orderId}`]));
        expect(await f.run(runKey({ job: 'process-order', id: `order/${orderId}` }))).toMatchObject({
          status: 'SUCCEEDED',
          attempt: 2,
        });
        expect(await f.drain(f.dlqUrl)).toEqual([]);
      },
    );
  },
);
