import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { sendEmailJob } from '#shared/jobs/send-email';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { fanOut } from '#functions/bulk-email/fan-out';
import { sendEmail } from '#functions/send-email/send-email';
import { sesStore, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');
const sendDeps = (f: Awaited<ReturnType<typeof createRuntimeFixture>>) =>
  f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as Parameters<typeof sendEmail>[0], ctx, sender));
const mailsTo = async (to: string) => (await sesStore()).filter((mail) => mail.destination.to.includes(to));

describe('Job: send-email (aws-ses-v2-local)', () => {
  it('sends one e-mail that the SES store receives, once for two deliveries of the same job', async () => {
    const f = await createRuntimeFixture();
    const to = `${uniqueName('ada')}@example.com`;
    const message = { id: 'welcome-1', payload: { to, subject: 'Welcome', text: 'Hello Ada' } };
    await processBatch(sendDeps(f), [sqsRecordFactory(message)]);
    await processBatch(sendDeps(f), [sqsRecordFactory(message)]);
    const mails = await mailsTo(to);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'jobs@example.com', subject: 'Welcome', body: { text: 'Hello Ada' } });
    expect(f.metrics.total('JobDuplicate')).toBe(1);
  });

  it('refuses a subject with CR/LF and an invalid address before SES is called, naming the fields', async () => {
    const f = await createRuntimeFixture();
    const record = sqsRecordFactory({
      id: 'inject-1',
      payload: { to: 'not-an-address', subject: 'Hi\r\nBcc: all@example.com', text: 'x' },
    });
    await processBatch(sendDeps(f), [record]);
    const [letter] = await f.drain(f.dlqUrl);
    const reason = letter?.MessageAttributes?.['sj-reason']?.StringValue ?? '';
    expect(reason).toContain('field "to": must be a valid e-mail address (given "not-an-address")');
    expect(reason).toContain('field "subject": must not contain CR or LF (header injection)');
    expect(await mailsTo('not-an-address')).toEqual([]);
  });
});

describe('Job: bulk-email (fauxqs + aws-ses-v2-local)', () => {
  it("sends large e-mails in batches that stay under SQS's 256 KiB batch limit", async () => {
    const f = await createRuntimeFixture(['send-email']);
    const recipients = Array.from({ length: 10 }, (_, i) => `big-${i}@example.com`);
    const body = {
      id: 'big-campaign',
      payload: { recipients, subject: 'Big', text: 'x'.repeat(60_000), html: `<p>${'y'.repeat(60_000)}</p>` },
    };
    const { outcomes } = await processBatch(
      f.deps(bulkEmailJob, (payload, ctx) => fanOut(payload as Parameters<typeof fanOut>[0], ctx)),
      [sqsRecordFactory(body)],
    );
    expect(outcomes[0]).toEqual({ kind: 'ack', result: 'SUCCEEDED' });
    expect(await f.drain(f.targetUrls.get('send-email')!)).toHaveLength(10);
  });

  it('fans out one send-email job per distinct recipient, with IDs that a retry repeats exactly', async () => {
    const f = await createRuntimeFixture(['send-email']);
    const recipients = Array.from({ length: 23 }, (_, i) => `${uniqueName(`r${i}`)}@example.com`);
    const body = {
      id: 'campaign-7',
      payload: { recipients: [...recipients, recipients[0]!.toUpperCase()], subject: 'News', text: 'Hi' },
    };
    // The first attempt fans out and then "crashes": the ledger never hears of its success.
    const crashed = f.deps(bulkEmailJob, async (payload, ctx) => {
      await fanOut(payload as Parameters<typeof fanOut>[0], ctx);
      throw new Error('crashed after the fan-out');
    });
    await processBatch(crashed, [sqsRecordFactory(body)]);
    f.clock.advance(60_000);
    await processBatch(
      f.deps(bulkEmailJob, (payload, ctx) => fanOut(payload as Parameters<typeof fanOut>[0], ctx)),
      [sqsRecordFactory(body)],
    );
    const queued = await f.drain(f.targetUrls.get('send-email')!);
    expect(queued).toHaveLength(46);
    const ids = queued.map((message) => (JSON.parse(message.Body ?? '{}') as { id: string }).id);
    expect(new Set(ids).size).toBe(23);
    expect(ids).toContain(`campaign-7/${recipients[0]}`);

    const records = queued.map((message) => sqsRecordFactory(message.Body ?? ''));
    for (let i = 0; i < records.length; i += 10) await processBatch(sendDeps(f), records.slice(i, i + 10));
    for (const to of recipients) expect(await mailsTo(to)).toHaveLength(1);
    expect(await f.run(runKey({ job: 'bulk-email', id: 'campaign-7' }))).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
    });
  });
});
