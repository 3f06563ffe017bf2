import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { sendEmailJob } from '#shared/jobs/send-email';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { sendEmail, type SendEmailPayload } from '#functions/send-email/send-email';
import { sesStore, uniqueName } from '#test/helpers/aws';
import { injectFault, ledgerWrite } from '#test/helpers/fault-injection';
import { createOrderFixture } from '#test/helpers/order-fixture';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const mailsTo = async (to: string) => (await sesStore()).filter((mail) => mail.destination.to.includes(to));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('Reliability matrix 4: crash after the side effect, before completion', () => {
  it(
    '4a: process-order: the worker dies right after its transaction commits: the order is PROCESSED ' +
      'once and confirmed once',
    async () => {
      const client = new DynamoDBClient({});
      // The transaction reaches DynamoDB and commits; the worker never learns of it (it dies).
      const fault = injectFault(client, { match: ledgerWrite.transaction, when: 'after', times: 1 });
      const { f, deps, order, orderId, record, confirmations } = await createOrderFixture(client);

      const first = await processBatch(deps, [record()]);
      expect(fault.thrown()).toBe(1);
      expect(first.response.batchItemFailures).toHaveLength(1); // not acknowledged
      const processed = await order();
      expect(processed).toMatchObject({ status: 'PROCESSED' });
      expect(await f.run(runKey({ job: 'process-order', id: `order/${orderId}` }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 1,
        fence: 1,
      });
      expect(await confirmations()).toEqual([]);

      f.clock.advance(120_000);
      const redelivery = await processBatch(deps, [record()]);
      expect(redelivery.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(await order()).toEqual(processed); // processedAt unchanged: one transition
      expect(await confirmations()).toEqual([`order-confirmation/${orderId}`]);
      expect(await f.run(runKey({ job: 'process-order', id: `order/${orderId}` }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 1,
        fence: 1,
      });
      expect(await f.drain(f.dlqUrl)).toEqual([]);
    },
  );

  it(
    '4a: process-order: the worker dies before its transaction reaches DynamoDB: nothing committed, ' +
      'the rerun processes it once',
    async () => {
      const client = new DynamoDBClient({});
      const fault = injectFault(client, { match: ledgerWrite.transaction, when: 'before', times: 1 });
      const { f, deps, order, orderId, record, confirmations } = await createOrderFixture(client);
      await processBatch(deps, [record()]);
      expect(fault.thrown()).toBe(1);
      expect(await order()).toMatchObject({ status: 'PENDING' });
      f.clock.advance(120_000);
      expect((await processBatch(deps, [record()])).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect((await processBatch(deps, [record()])).outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(await order()).toMatchObject({ status: 'PROCESSED', processedAt: new Date(f.clock.now()).toISOString() });
      // The replay on the duplicate re-enqueues the same deduplicated job ID; send-email's ledger sends it once.
      expect(new Set(await confirmations())).toEqual(new Set([`order-confirmation/${orderId}`]));
      expect(await f.run(runKey({ job: 'process-order', id: `order/${orderId}` }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 2,
      });
    },
  );

  it(
    '4b: send-email: a crash between SES accepting and the completion write sends the e-mail again ' +
      'after the lease (at least once)',
    async () => {
      const client = new DynamoDBClient({});
      const fault = injectFault(client, { match: ledgerWrite.completion, when: 'before', times: 1 });
      const f = await createRuntimeFixture([], client);
      const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');
      const deps = f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as SendEmailPayload, ctx, sender));
      const to = `${uniqueName('window')}@example.com`;
      const body = { id: uniqueName('w'), payload: { to, subject: 'Hi', text: 'window' } };
      const first = await processBatch(deps, [sqsRecordFactory(body)]);
      expect(fault.thrown()).toBe(1);
      // The completion write failed after SES accepted: the delivery is not acknowledged. That is a ledger
      // error, not a failed attempt: the run stays RUNNING under its lease and no attempt is recorded as failed.
      expect(first.outcomes[0]).toMatchObject({ kind: 'retry', result: 'ERROR' });
      expect(first.response.batchItemFailures).toHaveLength(1);
      expect(await mailsTo(to)).toHaveLength(1);
      expect(await f.run(runKey({ job: 'send-email', id: body.id }))).toMatchObject({ status: 'RUNNING', attempt: 1 });
      expect((await processBatch(deps, [sqsRecordFactory(body)])).outcomes).toEqual([
        expect.objectContaining({ kind: 'retry', result: 'BUSY' }),
      ]);
      f.clock.advance(61_000);
      expect((await processBatch(deps, [sqsRecordFactory(body)])).outcomes).toEqual([
        { kind: 'ack', result: 'SUCCEEDED' },
      ]);
      // The README's at-least-once guarantee, observed: the crash inside the window gives a second e-mail,
      // and one SUCCEEDED run.
      expect(await mailsTo(to)).toHaveLength(2);
      expect(await f.run(runKey({ job: 'send-email', id: body.id }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 2,
        fence: 2,
      });
    },
  );

  it('4b: send-email: measures the duplicate window (SES accepted → completion written) over 50 runs', async () => {
    const client = new DynamoDBClient({});
    const sesClient = new SESClient({});
    const f = await createRuntimeFixture([], client);
    const sender = new SesEmailSender(sesClient, 'jobs@example.com');
    const marks = new Map<string, number>();
    let current = '';
    // Timestamps as the worker sees them: when SES's response arrived, when the completion was sent and acknowledged.
    sesClient.middlewareStack.add(
      (next) => async (args) => {
        marks.set(`${current}:ses-sent`, performance.now());
        const result = await next(args);
        marks.set(`${current}:ses-accepted`, performance.now());
        return result;
      },
      { step: 'initialize', name: 'sesTimer' },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const completion = ledgerWrite.completion({
          command: context.commandName ?? '',
          input: args.input as Record<string, unknown>,
        });
        if (completion) marks.set(`${current}:completion-sent`, performance.now());
        const result = await next(args);
        if (completion) marks.set(`${current}:completion-written`, performance.now());
        return result;
      },
      { step: 'initialize', name: 'ledgerTimer' },
    );
    const deps = f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as SendEmailPayload, ctx, sender));
    const windows: number[] = [];
    const bounds: number[] = [];
    const runs = 50;
    for (let i = 0; i < runs; i++) {
      current = `m${i}`;
      const { outcomes } = await processBatch(deps, [
        sqsRecordFactory({
          id: `measure-${i}-${uniqueName('x')}`,
          payload: { to: 'window@example.com', subject: 'Hi', text: 'x' },
        }),
      ]);
      expect(outcomes[0]).toEqual({ kind: 'ack', result: 'SUCCEEDED' });
      windows.push(marks.get(`${current}:completion-written`)! - marks.get(`${current}:ses-accepted`)!);
      // Upper bound: SES may accept the message any time after the request left the worker.
      bounds.push(marks.get(`${current}:completion-written`)! - marks.get(`${current}:ses-sent`)!);
    }
    windows.sort((a, b) => a - b);
    bounds.sort((a, b) => a - b);
    const fmt = (values: readonly number[]) =>
      `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ` +
      `${values.at(-1)!.toFixed(1)} ms`;
    console.log(
      `send-email duplicate window over ${runs} runs (DynamoDB Local + aws-ses-v2-local):\n` +
        `  SES response received -> completion write acknowledged: ${fmt(windows)}\n` +
        `  upper bound, SES request sent -> completion write acknowledged: ${fmt(bounds)}`,
    );
    expect(windows.every((w) => w > 0)).toBe(true);
    // The window is one DynamoDB request, not a handler's worth of work.
    expect(percentile(windows, 50)).toBeLessThan(250);
  });
});
