import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { entryProblems, redriveByCopy, sendJobs } from '@serverless-jobs/cli/ops';
import { toSqsEvent } from '@serverless-jobs/local/runner';
import { DynamoDbOccurrenceLedger } from '@serverless-jobs/runtime/adapters';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError, processBatch } from '@serverless-jobs/runtime/runtime';
import { enqueueOccurrence, watchedSchedules } from '@serverless-jobs/runtime/schedules';
import * as z from '@serverless-jobs/runtime/zod';
import { dynamo, sqs } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';
import { RecordingScheduleControl } from '#test/helpers/ops-fixture';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const invoice = defineJob({
  name: 'invoice',
  description: 'Invoices a customer (fair by customer).',
  payload: z.strictObject({ customerId: z.unknown(), n: z.number() }),
  fairness: { key: 'customerId' },
  schedules: [{ name: 'nightly', expression: 'cron(0 3 * * ? *)', payload: { customerId: 'house', n: 0 } }],
});
const plain = defineJob({ name: 'plain', description: 'No key.', payload: z.strictObject({ n: z.number() }) });
const producer = defineJob({
  name: 'producer',
  description: 'Enqueues invoices, continues itself, or dies.',
  payload: z.strictObject({ customerId: z.string(), mode: z.enum(['enqueue', 'continue', 'bad-key', 'die']) }),
  fairness: { key: 'customerId' },
  resources: { enqueues: [invoice, plain, 'producer'] },
});

async function receive(url: string): Promise<Message[]> {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages;
}
const groups = (messages: readonly Message[]) => messages.map((m) => m.Attributes?.MessageGroupId);

const record = (id: string, customerId: string, mode: string) => {
  const r = sqsRecordFactory({ id, job: 'producer', payload: { customerId, mode } });
  return { ...r, attributes: { ...r.attributes, MessageGroupId: customerId } };
};

describe('Every producer sends a fair job its key as MessageGroupId', () => {
  it('the runtime: enqueue, enqueueMany and a continuation carry the key; a job without it gets none', async () => {
    const f = await createRuntimeFixture([invoice.name, plain.name, producer.name]);
    const deps = f.deps(producer, async (payload, ctx) => {
      if ((payload as { mode: string }).mode === 'continue') return ctx.continueLater({ cursor: 1 });
      await ctx.enqueue(invoice.name, { customerId: 'c-1', n: 1 }, { id: 'i-1' });
      await ctx.enqueueMany(invoice.name, [{ id: 'i-2', payload: { customerId: 42, n: 2 } }]);
      await ctx.enqueue(plain.name, { n: 1 }, { id: 'p-1' });
    });
    await processBatch(deps, [record('a', 'acme', 'enqueue'), record('b', 'acme', 'continue')]);
    expect(groups(await receive(f.targetUrls.get(invoice.name)!)).sort()).toEqual(['42', 'c-1']);
    expect(groups(await receive(f.targetUrls.get(plain.name)!))).toEqual([undefined]);
    expect(groups(await receive(f.targetUrls.get(producer.name)!))).toEqual(['acme']);
  });

  it('the runtime: a key that cannot be one is refused for good, naming the field and the value', async () => {
    const f = await createRuntimeFixture([invoice.name]);
    let refused: unknown;
    const deps = f.deps(producer, async (_payload, ctx) => {
      try {
        await ctx.enqueue(invoice.name, { customerId: { id: 1 }, n: 1 }, { id: 'i-3' });
      } catch (error) {
        refused = error;
      }
    });
    await processBatch(deps, [record('c', 'acme', 'bad-key')]);
    expect(refused).toBeInstanceOf(PermanentJobError);
    expect((refused as Error).message).toBe(
      'Refused to enqueue invoice: field "customerId" (fairness.key) must hold a string, a number or a boolean ' +
        '(given {"id":1})',
    );
  });

  it('the DLQ copy keeps the group, and a redrive by copy sends it back in it', async () => {
    const f = await createRuntimeFixture();
    const deps = f.deps(producer, async () => {
      throw new PermanentJobError('no such customer');
    });
    await processBatch(deps, [record('d', 'acme', 'die')]);
    expect(await f.run(runKey({ job: 'producer', id: 'd' }))).toMatchObject({ status: 'DEAD' });
    await redriveByCopy(sqs(), {
      dlqUrl: f.dlqUrl,
      queueUrl: f.queueUrl,
      now: () => f.clock.now(),
      sleep: async () => {},
    });
    const [copy] = await receive(f.queueUrl);
    expect(copy?.Attributes?.MessageGroupId).toBe('acme');
    // The local runner hands the group on to the function, as Lambda does.
    expect(toSqsEvent([copy!], 'arn:aws:sqs:us-east-1:000000000000:jobs').Records[0]?.attributes.MessageGroupId).toBe(
      'acme',
    );
  });

  it('the CLI: each entry in its group, and a bad key listed before anything is sent', async () => {
    const f = await createRuntimeFixture();
    const clock = new FakeClock();
    const options = { sqs: sqs(), clock, schedules: new RecordingScheduleControl([invoice]) };
    const entries = [{ payload: { customerId: 'c-9', n: 1 } }, { payload: { customerId: 'ACME Inc.', n: 2 } }];
    await sendJobs(invoice, entries, { ...options, queueUrl: f.queueUrl, dlqUrl: f.dlqUrl });
    const sent = groups(await receive(f.queueUrl));
    expect(sent).toContain('c-9');
    expect(sent.find((group) => group !== 'c-9')).toMatch(/^sha256:/);
    expect(entryProblems(invoice, [{ payload: { customerId: ['c'], n: 1 } }])).toEqual([
      'field "customerId" (fairness.key) must hold a string, a number or a boolean (given ["c"])',
    ]);
  });

  it("catch-up and backfill: an occurrence goes in its schedule payload's group", async () => {
    const f = await createRuntimeFixture([invoice.name]);
    const [nightly] = watchedSchedules([invoice]);
    expect(nightly).toMatchObject({ messageGroupId: 'house' });
    const sender = { ledger: new DynamoDbOccurrenceLedger(dynamo(), f.ledgerName), send: f.queue.send.bind(f.queue) };
    await enqueueOccurrence(sender, nightly!, '2026-11-24T03:00:00.000Z', 'catch-up', f.clock.now());
    expect(groups(await receive(f.targetUrls.get(invoice.name)!))).toEqual(['house']);
  });
});
