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
): Record<string, AttributeValue> => ({
  orderId: S(orderId),
  status: S('PROCESSED'),
  processedDay: S(processedAt.slice(0, 10)),
  processedAt: S(processedAt),
  totalCents: N(totalCents),
  currency: S(currency),
});

const run = (job: string, id: string, status: string, createdAt: string): Record<string, AttributeValue> => ({
  pk: S(`${job}/${id}`),
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
      new GetItemCommand({ TableName: tables.reports, Key: { reportId: S('daily/2026-03-29') }, ConsistentRead: true }),
    );
    expect(str(item, 'periodStart')).toBe('2026-03-28T23:00:00.000Z');
    expect(str(item, 'periodEnd')).toBe('2026-03-29T22:00:00.000Z');
    expect(str(item, 'createdAt')).toBe('2026-03-30T04:00:00.000Z');
    expect(JSON.parse(str(item, 'figures') ?? '{}')).toEqual({
      orders: { processed: 30, revenueCents: { EUR: 2000, USD: 1000 } },
      emails: { sent: 9, failed: 3 },
      runs: {
        'send-email': { SUCCEEDED: 9, DEAD: 2, FAILED: 1 },
        'bulk-email': {},
        'process-order': { DEAD: 1 },
        cleanup: { SUCCEEDED: 1 },
        'daily-report': {},
        'monthly-report': {},
        'schedule-watchdog': {},
      },
    });
    expect(fake.enqueued.map((entry) => [entry.job, entry.id])).toEqual([
      ['send-email', 'report/daily/2026-03-29/ops@example.com'],
      ['send-email', 'report/daily/2026-03-29/cfo@example.com'],
    ]);
    expect(fake.enqueued[1]?.payload).toMatchObject({
      to: 'cfo@example.com',
      subject: 'Daily report 2026-03-29 (Europe/Berlin)',
    });
  });
});
