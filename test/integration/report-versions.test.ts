import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { type JobContext, processBatch } from '@serverless-jobs/runtime/runtime';
import { DynamoDbReportStore } from '#shared/adapters/dynamodb-report-store';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { domainTables } from '#shared/domain/tables';
import { dailyReportJob } from '#shared/jobs/daily-report';
import { sendEmailJob } from '#shared/jobs/send-email';
import { type ReportSettings, runReport } from '#shared/reports/run-report';
import { sendEmail } from '#functions/send-email/send-email';
import { createTable, dynamo, sesStore, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const client = dynamo();
const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');

const order = (orderId: string, processedAt: string): Record<string, AttributeValue> => ({
  orderId: S(orderId),
  status: S('PROCESSED'),
  processedDay: S(processedAt.slice(0, 10)),
  processedAt: S(processedAt),
  totalCents: N(1000),
  currency: S('EUR'),
});

/** daily-report and send-email on the job runtime (DynamoDB Local, fauxqs), sending through aws-ses-v2-local. */
async function reportSystem(settings: ReportSettings) {
  const f = await createRuntimeFixture(['send-email']);
  const [orders, reports] = await Promise.all([createTable(domainTables.orders), createTable(domainTables.reports)]);
  const store = new DynamoDbReportStore(client, { orders, ledger: f.ledgerName, reports });
  const reportDeps = f.deps(
    dailyReportJob,
    async (payload, ctx) => {
      // The fixture's deps are untyped; `settings` below is what the runtime hands the handler.
      const typed = ctx as JobContext<ReportSettings>;
      await runReport({ kind: 'daily', explicit: (payload as { date?: string }).date }, typed, store);
    },
    { settings },
  );
  const sendDeps = f.deps(sendEmailJob, (payload, ctx) =>
    sendEmail(payload as Parameters<typeof sendEmail>[0], ctx, sender),
  );
  /** Runs the report as a new job (a rerun is one), then sends every e-mail it enqueued. */
  const run = async (id: string, date: string): Promise<void> => {
    const { outcomes } = await processBatch(reportDeps, [sqsRecordFactory({ id, payload: { date } })]);
    expect(outcomes[0]).toEqual({ kind: 'ack', result: 'SUCCEEDED' });
    const queued = await f.drain(f.targetUrls.get('send-email') ?? '');
    await processBatch(
      sendDeps,
      queued.map((message) => sqsRecordFactory(message.Body ?? '')),
    );
  };
  const put = (item: Record<string, AttributeValue>) =>
    client.send(new PutItemCommand({ TableName: orders, Item: item }));
  return { f, store, run, put };
}

describe('Job: daily-report run again (DynamoDB Local, fauxqs, aws-ses-v2-local)', () => {
  it('mails a correction with the stored figures when a rerun finds other figures, and nothing when not', async () => {
    // Prepare: the first run finds one order; a second arrives late, written by a system that drops milliseconds
    const to = `${uniqueName('ops')}@example.com`;
    const system = await reportSystem({ recipients: [to], timeZone: 'UTC' });
    system.f.clock.set('2026-12-04T06:00:00.000Z');
    await system.put(order('first', '2026-12-03T10:00:00.000Z'));
    await system.run('manual-1', '2026-12-03');
    await system.put(order('late', '2026-12-03T23:59:59Z'));

    // Act
    await system.run('manual-2', '2026-12-03');
    await system.run('manual-3', '2026-12-03');

    // Assess
    const stored = await system.store.load('daily/2026-12-03/UTC');
    expect(stored).toMatchObject({ version: 2, mailedVersion: 2, figures: { orders: { processed: 2 } } });
    const mails = (await sesStore()).filter((mail) => mail.destination.to.includes(to));
    expect(mails.map((mail) => mail.subject)).toEqual([
      'Daily report 2026-12-03 (UTC)',
      'Correction: Daily report 2026-12-03 (UTC)',
    ]);
    expect(mails[0]?.body.text).toContain('Orders processed: 1');
    expect(mails[1]?.body.text).toContain('Orders processed: 2');
    expect(mails[1]?.body.text).toContain('Stored as: daily/2026-12-03/UTC, version 2');
  });
});
