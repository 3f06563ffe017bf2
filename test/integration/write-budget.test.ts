import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { DynamoDbOrderStore } from '#shared/adapters/dynamodb-order-store';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { domainTables } from '#shared/domain/tables';
import { processOrderJob } from '#shared/jobs/process-order';
import { sendEmailJob } from '#shared/jobs/send-email';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { confirmOrder, processOrder } from '#functions/process-order/process-order';
import { sendEmail } from '#functions/send-email/send-email';
import { createTable, dynamo, uniqueName } from '#test/helpers/aws';
import { meterRequests } from '#bench/request-meter';
import { createRuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const JOBS = 50;

// BENCHMARKS.md quotes the figures this prints: `npx vitest run test/integration/write-budget.test.ts`.
describe('Budget: DynamoDB write requests per successful job (counted by SDK middleware)', () => {
  it('send-email writes 2 items per job, the claim and the completion, in under 1 request', async () => {
    const client = dynamo();
    const counter = meterRequests(client);
    const f = await createRuntimeFixture([], client);
    const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');
    const deps = f.deps(sendEmailJob, (payload, ctx) =>
      sendEmail(payload as Parameters<typeof sendEmail>[0], ctx, sender),
    );
    const prefix = uniqueName('budget');
    const records = Array.from({ length: JOBS }, (_, i) =>
      sqsRecordFactory({
        id: `${prefix}-${i}`,
        payload: { to: `${prefix}-${i}@example.com`, subject: 'Hi', text: 'x' },
      }),
    );
    for (let i = 0; i < JOBS; i += 10) await processBatch(deps, records.slice(i, i + 10));
    const perJob = counter.writes() / JOBS;
    console.log(
      `send-email: ${perJob} DynamoDB write requests and ${counter.itemWrites() / JOBS} items written per ` +
        'successful job',
      Object.fromEntries(counter.byCommand),
    );
    expect(f.metrics.total('JobSucceeded')).toBe(JOBS);
    expect(counter.itemWrites() / JOBS).toBe(2);
    // A batch's claims go in one request, its completions in a few: the 10 records finish about together.
    expect(perJob).toBeLessThan(1);
  });

  it('process-order costs at most 2 writes per job: the claim and one transaction with the order', async () => {
    const client = dynamo();
    const counter = meterRequests(client);
    const f = await createRuntimeFixture(['send-email'], client);
    const ordersTable = await createTable(domainTables.orders);
    for (let i = 0; i < JOBS; i++) {
      await dynamo().send(
        new PutItemCommand({
          TableName: ordersTable,
          Item: {
            orderId: S(`o-${i}`),
            status: S('PENDING'),
            customerEmail: S('ada@example.com'),
            currency: S('EUR'),
            totalCents: N(100),
            items: { L: [{ M: { sku: S('pen'), quantity: N(1), unitPriceCents: N(100) } }] },
          },
        }),
      );
    }
    const store = new DynamoDbOrderStore(client, { orders: ordersTable, ledger: f.ledgerName });
    const deps = f.deps(processOrderJob, (payload, ctx) => processOrder(payload as { orderId: string }, ctx, store), {
      afterSuccess: (payload, ctx) => confirmOrder(payload as { orderId: string }, ctx, store),
    });
    const records = Array.from({ length: JOBS }, (_, i) =>
      sqsRecordFactory({ id: `order/o-${i}`, payload: { orderId: `o-${i}` } }),
    );
    for (let i = 0; i < JOBS; i += 10) await processBatch(deps, records.slice(i, i + 10));
    const perJob = counter.writes() / JOBS;
    console.log(
      `process-order: ${perJob} DynamoDB write requests per successful job`,
      Object.fromEntries(counter.byCommand),
    );
    expect(f.metrics.total('JobSucceeded')).toBe(JOBS);
    expect(perJob).toBeLessThanOrEqual(2);
  });
});
