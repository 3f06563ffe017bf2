import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { sendEmailJob } from '#shared/jobs/send-email';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { sendEmail, type SendEmailPayload } from '#functions/send-email/send-email';
import { sesStore, uniqueName } from '#test/helpers/aws';
import { pollOnce, sendBodies } from '#test/helpers/queue-driver';
import { createRuntimeFixture, runKey, type RuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');
const sendDeps = (f: RuntimeFixture) =>
  f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as SendEmailPayload, ctx, sender));
const mailsTo = async (to: string) => (await sesStore()).filter((mail) => mail.destination.to.includes(to));

async function message() {
  const to = `${uniqueName('dup')}@example.com`;
  const id = uniqueName('welcome');
  return { to, id, body: { id, payload: { to, subject: 'Welcome', text: 'Hello' } } };
}

async function expectOneRun(f: RuntimeFixture, id: string, to: string): Promise<void> {
  expect(await mailsTo(to)).toHaveLength(1);
  expect(await f.run(runKey({ job: 'send-email', id }))).toMatchObject({ status: 'SUCCEEDED', attempt: 1, fence: 1 });
  expect(f.metrics.total('JobSucceeded')).toBe(1);
  expect(f.metrics.total('JobStarted')).toBe(1);
  expect(f.metrics.total('JobDuplicate')).toBe(1);
  expect(await f.drain(f.dlqUrl)).toEqual([]);
}

describe('Reliability matrix 1: duplicates (send-email on SES, DynamoDB Local, fauxqs)', () => {
  it(
    '1a: the same message delivered twice, one after the other, sends one e-mail and records one ' + 'SUCCEEDED run',
    async () => {
      const f = await createRuntimeFixture();
      const { to, id, body } = await message();
      const record = sqsRecordFactory(body);
      const first = await processBatch(sendDeps(f), [record]);
      const second = await processBatch(sendDeps(f), [{ ...record, receiptHandle: 'second-receipt' }]);
      expect(first.outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(second.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(second.response.batchItemFailures).toEqual([]);
      await expectOneRun(f, id, to);
    },
  );

  it('1b: the same message delivered twice in parallel, to two concurrent invocations, sends one e-mail', async () => {
    const f = await createRuntimeFixture();
    const { to, id, body } = await message();
    const record = sqsRecordFactory(body);
    // Two invocations of the function, each with its own copy of the record, at the same time.
    const [a, b] = await Promise.all([
      processBatch(sendDeps(f), [record]),
      processBatch(sendDeps(f), [{ ...record, receiptHandle: 'other-receipt' }]),
    ]);
    const results = [a.outcomes[0], b.outcomes[0]].map((outcome) => outcome?.result).sort();
    // The loser either sees the finished run (DUPLICATE, acknowledged) or the run in progress (BUSY, handed
    // back until the lease ends); in both cases the handler did not run a second time.
    expect(results[1]).toBe('SUCCEEDED');
    expect(['DUPLICATE', 'BUSY']).toContain(results[0]);
    if (results[0] === 'BUSY') {
      // The BUSY copy comes back and is then acknowledged as a duplicate.
      const again = await processBatch(sendDeps(f), [record]);
      expect(again.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
    }
    await expectOneRun(f, id, to);
  });

  it('1b: sixteen copies delivered at once to sixteen invocations still send one e-mail', async () => {
    const f = await createRuntimeFixture();
    const { to, id, body } = await message();
    const summaries = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        processBatch(sendDeps(f), [sqsRecordFactory(body, { receiptHandle: `r-${i}` })]),
      ),
    );
    expect(summaries.filter((s) => s.outcomes[0]?.result === 'SUCCEEDED')).toHaveLength(1);
    expect(await mailsTo(to)).toHaveLength(1);
    expect(await f.run(runKey({ job: 'send-email', id }))).toMatchObject({ status: 'SUCCEEDED', attempt: 1, fence: 1 });
    expect(f.metrics.total('JobStarted')).toBe(1);
    expect(f.metrics.total('JobDuplicate') + f.metrics.total('JobBusy')).toBe(15);
  });

  it(
    '1c: a producer re-send (a new SQS message with the same job ID) through the real queue sends ' + 'one e-mail',
    async () => {
      const f = await createRuntimeFixture();
      const { to, id, body } = await message();
      // Two distinct SQS messages (two message IDs) carrying the same job ID, as a retrying producer sends
      // them: the re-send arrives after the first was processed (a parallel arrival is case 1b).
      await sendBodies(f.queueUrl, [JSON.stringify(body)]);
      const first = await pollOnce(sendDeps(f), f.queueUrl);
      await sendBodies(f.queueUrl, [JSON.stringify({ ...body, enqueuedAt: new Date(f.clock.now()).toISOString() })]);
      const second = await pollOnce(sendDeps(f), f.queueUrl);
      expect([first.received, second.received]).toEqual([1, 1]);
      expect([first.summary?.outcomes[0], second.summary?.outcomes[0]]).toEqual([
        { kind: 'ack', result: 'SUCCEEDED' },
        { kind: 'ack', result: 'DUPLICATE' },
      ]);
      expect(await f.drain(f.queueUrl)).toEqual([]); // both acknowledged and deleted
      await expectOneRun(f, id, to);
    },
  );

  it('1c: a re-send of a payload without an envelope, with the same jobId attribute, sends one e-mail', async () => {
    const f = await createRuntimeFixture();
    const { to, id, body } = await message();
    const first = await processBatch(sendDeps(f), [sqsRecordFactory(body.payload, { attributes: { jobId: id } })]);
    const second = await processBatch(sendDeps(f), [sqsRecordFactory(body.payload, { attributes: { jobId: id } })]);
    expect([first.outcomes[0]?.result, second.outcomes[0]?.result]).toEqual(['SUCCEEDED', 'DUPLICATE']);
    await expectOneRun(f, id, to);
  });
});
