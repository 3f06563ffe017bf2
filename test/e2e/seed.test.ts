import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '#infra/local/demo-data';
import { LocalStack } from '@serverless-jobs/local/runner';
import { describeSeed, seed } from '#infra/local/seed';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { clientsFor, eventually, getItem, ROOT, synthesizedApp, ledgerKey } from '#test/e2e/local-stack-fixture';
import { allJobs } from '#shared/jobs/registry';

const DAY_MS = 86_400_000;

describe('Command: npm run seed, then the jobs that use the data', () => {
  let stack: LocalStack;
  let firstSeed: Awaited<ReturnType<typeof seed>>;
  const now = Date.now();
  const clients = () => clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
  const table = (id: string) => stack.model.outputs[tableOutputKey(id)]!;
  const send = (job: string, body: unknown) =>
    clients().sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.model.outputs[jobOutputKey.queueUrl(job)],
        MessageBody: JSON.stringify(body),
      }),
    );
  const succeeded = (job: string, id: string) =>
    eventually(
      async () => {
        const run = await getItem(clients().dynamodb, table('Ledger'), ledgerKey(job, id));
        return run?.status === 'SUCCEEDED' ? run : undefined;
      },
      45_000,
      `run ${job}/${id}`,
    );

  beforeAll(async () => {
    stack = await LocalStack.start({
      root: ROOT,
      jobs: allJobs,
      cdkOut: synthesizedApp(),
      synth: 'never',
      dataDir: mkdtempSync(join(tmpdir(), 'sj-seed-')),
      persist: false,
      write: () => {},
    });
    firstSeed = await seed(stack.describe().endpoints.dynamodb!, stack.model.outputs, now);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('writes every demo item into empty tables', () => {
    expect(firstSeed).toEqual({
      customers: { written: 20, present: 0 },
      orders: { written: 30, present: 0 },
      auditLog: { written: 200, present: 0 },
    });
  });

  // Runs before cleanup deletes anything, so a second seed finds every demo item still there.
  it('never moves a processed order back when seeded again: the order and its runs stay as they are', async () => {
    await send('process-order', { id: 'seeded-order', payload: { orderId: 'demo-001' } });
    await succeeded('process-order', 'seeded-order');
    await succeeded('send-email', 'order-confirmation/demo-001');
    const read = async () => ({
      order: await getItem(clients().dynamodb, table('Orders'), { orderId: 'demo-001' }),
      run: await getItem(clients().dynamodb, table('Ledger'), ledgerKey('process-order', 'seeded-order')),
      email: await getItem(clients().dynamodb, table('Ledger'), ledgerKey('send-email', 'order-confirmation/demo-001')),
      auditEntries: (await clients().dynamodb.send(new ScanCommand({ TableName: table('AuditLog'), Select: 'COUNT' })))
        .Count,
    });
    const before = await read();
    expect(before.order).toMatchObject({ status: 'PROCESSED', processedAt: expect.any(String) });
    expect(before.run).toMatchObject({ status: 'SUCCEEDED' });

    // An hour later, so every demo item it would write differs from the first seed's.
    const again = await seed(stack.describe().endpoints.dynamodb!, stack.model.outputs, now + 3_600_000);

    const after = await read();
    expect(after.order).toMatchObject({ status: 'PROCESSED' });
    expect(after).toEqual(before);
    expect(after.auditEntries).toBe(200);
    expect(again).toEqual({
      customers: { written: 0, present: 20 },
      orders: { written: 0, present: 30 },
      auditLog: { written: 0, present: 200 },
    });
    expect(describeSeed(again)).toBe(
      'Seeded demo data: 0 customers written, 20 already there and left as they are; 0 orders written, 30 already ' +
        'there and left as they are; 0 audit-log entries written, 200 already there and left as they are.',
    );
  }, 90_000);

  it('gives cleanup work on both sides of its cutoffs, and it deletes exactly the expired items', async () => {
    await send('cleanup', { id: 'seeded-cleanup', payload: {} });
    await succeeded('cleanup', 'seeded-cleanup');
    const data = demoData(now);
    const runAt = Date.parse(
      String((await getItem(clients().dynamodb, table('Ledger'), ledgerKey('cleanup', 'seeded-cleanup')))?.startedAt),
    );
    const keptAudit = data.auditLog.filter(
      (item) => Date.parse(item.at!.S!.split('#')[0]!) >= runAt - 90 * DAY_MS,
    ).length;
    const { Count: audit } = await clients().dynamodb.send(
      new ScanCommand({ TableName: table('AuditLog'), Select: 'COUNT' }),
    );
    expect(audit).toBe(keptAudit);
    expect(keptAudit).toBeGreaterThan(0);
    expect(keptAudit).toBeLessThan(200);
    const { Items = [] } = await clients().dynamodb.send(new ScanCommand({ TableName: table('Customers') }));
    expect(Items.map((item) => item.customerId!.S).sort()).toEqual(
      data.customers
        .filter((c) => !c.deletedAt || Date.parse(c.deletedAt.S!) >= runAt - 30 * DAY_MS)
        .map((c) => c.customerId!.S)
        .sort(),
    );
    expect(Items).toHaveLength(17);
  }, 60_000);

  it('gives the daily report figures: the orders processed on the day and their revenue', async () => {
    const day = new Date(now - DAY_MS).toISOString().slice(0, 10);
    await send('daily-report', { id: 'seeded-report', payload: { date: day } });
    await succeeded('daily-report', 'seeded-report');
    const processed = demoData(now).orders.filter((order) => order.processedDay?.S === day);
    const { Items = [] } = await clients().dynamodb.send(
      new QueryCommand({
        TableName: table('Orders'),
        IndexName: 'byProcessedDay',
        KeyConditionExpression: 'processedDay = :d',
        ExpressionAttributeValues: { ':d': { S: day } },
      }),
    );
    expect(Items).toHaveLength(processed.length);
    const report = await getItem(clients().dynamodb, table('Reports'), { reportId: `daily/${day}/UTC` });
    const figures = JSON.parse(String(report?.figures)) as {
      orders: { processed: number; revenueCents: Record<string, number>; unreadable: number };
    };
    const revenue: Record<string, number> = {};
    for (const order of processed)
      revenue[order.currency!.S!] = (revenue[order.currency!.S!] ?? 0) + Number(order.totalCents!.N);
    expect(processed.length).toBeGreaterThan(0);
    expect(figures.orders).toEqual({ processed: processed.length, revenueCents: revenue, unreadable: 0 });
  }, 60_000);
});
