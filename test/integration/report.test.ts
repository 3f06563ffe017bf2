import { runKey } from '@serverless-jobs/runtime/adapters';
import { type AttributeValue, BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { N, S, str } from '@serverless-jobs/runtime/adapters';
import { DynamoDbReportStore, type ReportTableNames } from '#shared/adapters/dynamodb-report-store';
import { domainTables } from '#shared/domain/tables';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { type ReportSettings, runReport } from '#shared/reports/run-report';
import { createTable, dynamo } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext } from '#test/helpers/fake-job-context';

const client = dynamo();
const settings: ReportSettings = { recipients: ['ops@example.com', 'cfo@example.com'], timeZone: 'Europe/Berlin' };

async function putAll(table: string, items: readonly Record<string, AttributeValue>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    const requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
  }
}

const order = (
  orderId: string,
  processedAt: string,
  totalCents: number,
  currency: string,
  processedDay = processedAt.slice(0, 10),
): Record<string, AttributeValue> => ({
  orderId: S(orderId),
  status: S('PROCESSED'),
  processedDay: S(processedDay),
  processedAt: S(processedAt),
  totalCents: N(totalCents),
  currency: S(currency),
});

const run = (job: string, id: string, status: string, createdAt: string): Record<string, AttributeValue> => ({
  ...runKey({ job, id }),
  job: S(job),
  id: S(id),
  status: S(status),
  createdAt: S(createdAt),
});

describe('Function: runReport with DynamoDB', () => {
  let tables: ReportTableNames;

  beforeAll(async () => {
    const [orders, ledger, reports] = await Promise.all([
      createTable(domainTables.orders),
      createTable(ledgerTable),
      createTable(domainTables.reports),
    ]);
    tables = { orders, ledger, reports };
    // The Berlin day 2026-03-29 (DST starts) is [2026-03-28T23:00Z, 2026-03-29T22:00Z).
    const inPeriod = Array.from({ length: 30 }, (_, n) =>
      order(
        `in-${n}`,
        new Date(Date.parse('2026-03-28T23:00:00.000Z') + n * 2_700_000).toISOString(),
        100,
        n % 3 === 0 ? 'USD' : 'EUR',
      ),
    );
    await putAll(orders, [
      ...inPeriod,
      order('before', '2026-03-28T22:59:59.999Z', 99_999, 'EUR'),
      order('at-end', '2026-03-29T22:00:00.000Z', 99_999, 'EUR'),
      { orderId: S('pending'), status: S('PENDING'), totalCents: N(99_999), currency: S('EUR') },
    ]);
    await putAll(ledger, [
      ...Array.from({ length: 12 }, (_, n) =>
        run('send-email', `mail-${n}`, n < 9 ? 'SUCCEEDED' : n < 11 ? 'DEAD' : 'FAILED', '2026-03-29T08:00:00.000Z'),
      ),
      run('send-email', 'yesterday', 'SUCCEEDED', '2026-03-28T08:00:00.000Z'),
      run('cleanup', 'daily@2026-03-29T02:00:00.000Z', 'SUCCEEDED', '2026-03-29T02:00:00.000Z'),
      run('process-order', 'o-1', 'DEAD', '2026-03-29T21:59:59.999Z'),
    ]);
  });

  it('stores the figures of the period and enqueues one e-mail per recipient when run the day after', async () => {
    // Prepare
    const store = new DynamoDbReportStore(client, tables, { pageSize: 4 });
    const fake = fakeJobContext({ settings, clock: new FakeClock(Date.parse('2026-03-30T04:00:00.000Z')) });

    // Act
    await runReport({ kind: 'daily' }, fake.ctx, store);

    // Assess
    const { Item: item } = await client.send(
      new GetItemCommand({
        TableName: tables.reports,
        Key: { reportId: S('daily/2026-03-29/Europe/Berlin') },
        ConsistentRead: true,
      }),
    );
    expect(str(item, 'periodStart')).toBe('2026-03-28T23:00:00.000Z');
    expect(str(item, 'periodEnd')).toBe('2026-03-29T22:00:00.000Z');
    expect(str(item, 'createdAt')).toBe('2026-03-30T04:00:00.000Z');
    expect(JSON.parse(str(item, 'figures') ?? '{}')).toEqual({
      orders: { processed: 30, revenueCents: { EUR: 2000, USD: 1000 }, unreadable: 0 },
      emails: { sent: 9, failed: 3 },
      runs: {
        'send-email': { SUCCEEDED: 9, DEAD: 2, FAILED: 1 },
        'bulk-email': {},
        'process-order': { DEAD: 1 },
        cleanup: { SUCCEEDED: 1 },
        'daily-report': {},
        'fulfil-order': {},
        'monthly-report': {},
        'schedule-watchdog': {},
      },
    });
    expect(fake.enqueued.map((entry) => [entry.job, entry.id])).toEqual([
      ['send-email', 'report/daily/2026-03-29/Europe/Berlin/v1/ops@example.com'],
      ['send-email', 'report/daily/2026-03-29/Europe/Berlin/v1/cfo@example.com'],
    ]);
    expect(fake.enqueued[1]?.payload).toMatchObject({
      to: 'cfo@example.com',
      subject: 'Daily report 2026-03-29 (Europe/Berlin)',
    });
  });
});

describe('Function: runReport with DynamoDB, on orders other systems wrote', () => {
  let tables: ReportTableNames;
  const stored = async (reportId: string) => {
    const { Item: item } = await client.send(
      new GetItemCommand({ TableName: tables.reports, Key: { reportId: S(reportId) }, ConsistentRead: true }),
    );
    return item && { periodStart: str(item, 'periodStart'), figures: JSON.parse(str(item, 'figures') ?? '{}') };
  };

  beforeAll(async () => {
    const [orders, ledger, reports] = await Promise.all([
      createTable(domainTables.orders),
      createTable(ledgerTable),
      createTable(domainTables.reports),
    ]);
    tables = { orders, ledger, reports };
    // Around the UTC day 2026-11-30; `processedDay` is the date as written, or the UTC date where given.
    await putAll(orders, [
      order('millis', '2026-11-30T23:59:59.999Z', 100, 'EUR'),
      order('no-millis', '2026-11-30T23:59:59Z', 200, 'EUR'),
      order('offset-local-day', '2026-12-01T01:30:00+02:00', 400, 'EUR'),
      order('offset-utc-day', '2026-12-01T00:30:00+02:00', 800, 'EUR', '2026-11-30'),
      order('offset-day-before', '2026-11-30T01:30:00+02:00', 1, 'EUR'),
      order('next-day', '2026-12-01T00:00:00Z', 2, 'EUR'),
      order('no-zone', '2026-11-30T12:00:00', 4, 'EUR'),
      order('other-form', '30.11.2026 12:00', 8, 'EUR', '2026-11-30'),
    ]);
  });

  it('counts every order whose instant is in the day, and counts and logs apart those it cannot read', async () => {
    // Prepare
    const fake = fakeJobContext({ settings: { ...settings, timeZone: 'UTC' } });

    // Act
    await runReport({ kind: 'daily', explicit: '2026-11-30' }, fake.ctx, new DynamoDbReportStore(client, tables), {
      jobs: [],
    });

    // Assess
    expect((await stored('daily/2026-11-30/UTC'))?.figures.orders).toEqual({
      processed: 4,
      revenueCents: { EUR: 1500 },
      unreadable: 2,
    });
    const warned = fake.logs.filter((line) => line.level === 'warn').map((line) => line.extra[0]?.orderId);
    expect(warned.sort()).toEqual(['no-zone', 'other-form']);
  });

  it('stores two reports when the same date is reported in UTC and in Berlin', async () => {
    // Prepare
    const store = new DynamoDbReportStore(client, tables);
    const request = { kind: 'daily', explicit: '2026-11-30' } as const;

    // Act
    await runReport(request, fakeJobContext({ settings: { ...settings, timeZone: 'UTC' } }).ctx, store, { jobs: [] });
    await runReport(request, fakeJobContext({ settings }).ctx, store, { jobs: [] });

    // Assess: Berlin's day is [11-29T23:00Z, 11-30T23:00Z)
    expect(await stored('daily/2026-11-30/UTC')).toMatchObject({
      periodStart: '2026-11-30T00:00:00.000Z',
      figures: { orders: { processed: 4, revenueCents: { EUR: 1500 } } },
    });
    expect(await stored('daily/2026-11-30/Europe/Berlin')).toMatchObject({
      periodStart: '2026-11-29T23:00:00.000Z',
      figures: { orders: { processed: 2, revenueCents: { EUR: 801 } } },
    });
  });

  it('refuses to store over a version it did not read, and leaves a newer version unmailed', async () => {
    // Prepare
    const store = new DynamoDbReportStore(client, tables);
    const fake = fakeJobContext({ settings: { ...settings, timeZone: 'UTC' } });
    const report = await runReport({ kind: 'monthly', explicit: '2026-11' }, fake.ctx, store, { jobs: [] });
    await store.save({ ...report, version: 2 }, 1);

    // Act: the refusal is awaited with its expectation attached at once, so it is never an unhandled rejection.
    const stale = expect(store.save({ ...report, version: 2 }, 1)).rejects.toThrow(
      'Report monthly/2026-11/UTC was stored by another run meanwhile',
    );
    await store.markMailed(report.reportId, 1);

    // Assess
    await stale;
    expect(await store.load(report.reportId)).toMatchObject({ version: 2, mailedVersion: undefined });
  });
});
