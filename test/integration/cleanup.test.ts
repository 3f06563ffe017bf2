import { type AttributeValue, BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { S, str } from '@serverless-jobs/runtime/adapters';
import { DynamoDbCleanupStore } from '#shared/adapters/dynamodb-cleanup-store';
import { type CleanupOutcome, type CleanupSettings, runCleanup } from '#shared/cleanup/run-cleanup';
import { domainTables } from '#shared/domain/tables';
import { createTable, dynamo } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext, runsOutAfter } from '#test/helpers/fake-job-context';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T02:00:00.000Z');
const settings: CleanupSettings = { auditRetentionDays: 90, customerRetentionDays: 30, pageSize: 5, shards: 8 };
const ago = (days: number): string => new Date(START - days * DAY).toISOString();
const client = dynamo();

async function putAll(table: string, items: readonly Record<string, AttributeValue>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    const requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
    expect(UnprocessedItems?.[table] ?? []).toEqual([]);
  }
}

async function scanAll(table: string, attribute: string): Promise<string[]> {
  const values: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    values.push(...(page.Items ?? []).map((item) => str(item, attribute) ?? '?'));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return values.sort();
}

describe('Function: runCleanup with DynamoDB', () => {
  let auditTable: string;
  let customersTable: string;
  const keptAudit: string[] = [];
  const keptCustomers: string[] = [];

  beforeAll(async () => {
    [auditTable, customersTable] = await Promise.all([
      createTable(domainTables.auditLog),
      createTable(domainTables.customers),
    ]);
    const audit = Array.from({ length: 120 }, (_, n) => {
      // Even entries are past retention; odd ones are up to a day short of it, so a drifting cutoff would take them.
      const at = `${ago(n % 2 === 0 ? 91 + n / 10 : 89.9 - n / 200)}#entry-${n}`;
      if (n % 2 === 1) keptAudit.push(at);
      return { shard: S(String(n % 8)), at: S(at), action: S('login') };
    });
    const customers = Array.from({ length: 50 }, (_, n): Record<string, AttributeValue> => {
      const customerId = `customer-${n}`;
      if (n >= 30) keptCustomers.push(customerId);
      if (n >= 40) return { customerId: S(customerId), name: S('active') };
      const deletedAt = ago(n < 30 ? 31 + n : 29.9);
      return { customerId: S(customerId), deletedAt: S(deletedAt), deletedShard: S(String(n % 8)) };
    });
    await Promise.all([putAll(auditTable, audit), putAll(customersTable, customers)]);
  });

  it(
    'deletes exactly the expired items across several continuations when each invocation runs low ' + 'on time',
    async () => {
      // Prepare
      const store = new DynamoDbCleanupStore(client, { auditLog: auditTable, customers: customersTable });
      let resume: unknown;
      let outcome: CleanupOutcome | undefined;
      let invocations = 0;

      // Act: each continuation starts a day later, as a slow backlog might
      do {
        const fake = fakeJobContext({
          settings,
          clock: new FakeClock(START + invocations * DAY),
          remainingMs: runsOutAfter(6),
          resume,
        });
        outcome = await runCleanup({}, fake.ctx, store);
        resume = fake.continuations[0];
        invocations += 1;
      } while (outcome.status === 'continued' && invocations < 50);

      // Assess
      expect(invocations).toBeGreaterThan(1);
      expect(outcome.status).toBe('done');
      expect(outcome.cursor.deleted).toEqual({ audit: 60, customers: 30 });
      expect(await scanAll(auditTable, 'at')).toEqual(keptAudit.sort());
      expect(await scanAll(customersTable, 'customerId')).toEqual(keptCustomers.sort());
    },
  );
});
