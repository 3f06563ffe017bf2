import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import type { EmailSender, OutgoingEmail } from '#shared/domain/email';
import { sendEmailJob } from '#shared/jobs/send-email';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { sendEmail, type SendEmailPayload } from '#functions/send-email/send-email';
import { sesStore, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const ses = new SesEmailSender(new SESClient({}), 'jobs@example.com');
const mailsTo = async (to: string) => (await sesStore()).filter((mail) => mail.destination.to.includes(to));

/** A sender whose first call never returns, as when the function is killed at its Timeout before SES is reached. */
class HangsOnceSender implements EmailSender {
  calls = 0;
  readonly reached: Promise<void>;
  private signal: () => void = () => {};

  constructor(private readonly inner: EmailSender) {
    this.reached = new Promise((resolve) => (this.signal = resolve));
  }

  send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.calls++;
    if (this.calls === 1) {
      this.signal();
      return new Promise(() => {}); // abandoned: Lambda froze and killed the invocation
    }
    return this.inner.send(email);
  }
}

describe('Reliability matrix 3: timeout mid-job (send-email, DynamoDB Local + SES, injected clock)', () => {
  it(
    '3: an invocation abandoned past its Timeout: the job runs again only after its lease expires, ' +
      'and completes once',
    async () => {
      const f = await createRuntimeFixture();
      const sender = new HangsOnceSender(ses);
      const deps = f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as SendEmailPayload, ctx, sender));
      const to = `${uniqueName('timeout')}@example.com`;
      const body = { id: uniqueName('t'), payload: { to, subject: 'Hi', text: 'once' } };
      const key = { job: 'send-email', id: body.id };

      // Invocation 1 claims the run and hangs: its Lambda is killed at the Timeout; nothing is acknowledged.
      void processBatch(deps, [sqsRecordFactory(body, { receiptHandle: 'first' })]);
      await sender.reached;
      const claimed = await f.run(runKey(key));
      expect(claimed).toMatchObject({ status: 'RUNNING', attempt: 1, fence: 1 });
      // lease = claim time + remaining time (the 30 s Timeout) + 30 s grace
      expect(claimed?.leaseExpiresAt).toBe(f.clock.now() + 60_000);

      // SQS delivers the message again after the visibility timeout; the lease has not expired: BUSY, handed back.
      f.clock.advance(30_000);
      const busy = await processBatch(deps, [sqsRecordFactory(body, { receiptHandle: 'second' })]);
      expect(busy.outcomes).toEqual([{ kind: 'retry', result: 'BUSY', visibilitySeconds: 31 }]);
      expect(busy.response.batchItemFailures).toHaveLength(1);
      expect(sender.calls).toBe(1);
      expect(await f.run(runKey(key))).toMatchObject({ status: 'RUNNING', attempt: 1, fence: 1 });

      // After the lease: the run is reclaimed with a new fence and completes.
      f.clock.advance(31_000);
      const rerun = await processBatch(deps, [sqsRecordFactory(body, { receiptHandle: 'third' })]);
      expect(rerun.outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect(await f.run(runKey(key))).toMatchObject({ status: 'SUCCEEDED', attempt: 2, fence: 2 });

      // Any later copy is a duplicate; one e-mail in all.
      const late = await processBatch(deps, [sqsRecordFactory(body, { receiptHandle: 'fourth' })]);
      expect(late.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(sender.calls).toBe(2);
      expect(await mailsTo(to)).toHaveLength(1);
      expect(f.metrics.total('JobBusy')).toBe(1);
      expect(f.metrics.total('JobSucceeded')).toBe(1);
      expect(await f.drain(f.dlqUrl)).toEqual([]);
    },
  );

  it(
    '3: a zombie invocation that wakes up after its lease was taken over cannot complete or fail ' + 'the run',
    async () => {
      const f = await createRuntimeFixture();
      let release = (): void => {};
      let first = true;
      let effects = 0;
      const deps = f.deps(sendEmailJob, async () => {
        if (first) {
          first = false;
          await new Promise<void>((resolve) => {
            release = () => resolve();
          });
        }
        effects++;
      });
      const body = { id: uniqueName('zombie'), payload: { to: 'z@example.com', subject: 'Hi', text: 'x' } };
      const zombie = processBatch(deps, [sqsRecordFactory(body)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      f.clock.advance(61_000);
      expect((await processBatch(deps, [sqsRecordFactory(body)])).outcomes).toEqual([
        { kind: 'ack', result: 'SUCCEEDED' },
      ]);
      release();
      expect((await zombie).outcomes).toEqual([{ kind: 'ack', result: 'LEASE_LOST' }]);
      expect(await f.run(runKey({ job: 'send-email', id: body.id }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 2,
        fence: 2,
      });
      expect(f.metrics.total('JobLeaseLost')).toBe(1);
      // the zombie ran past the point a real Lambda would have been killed: the fence stops only the ledger write
      expect(effects).toBe(2);
    },
  );
});
