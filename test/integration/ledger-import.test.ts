import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { importLedger } from '@serverless-jobs/cli/ops';
import { DynamoDbRunLedger, fromItem, N, runKey, S, singletonKey } from '@serverless-jobs/runtime/adapters';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';
import { createTable, dynamo } from '#test/helpers/aws';

/** The ledger as deployed before it moved a job's runs into their own partitions. */
const oldLedger: TableDesign = {
  id: 'OldLedger',
  envVar: 'OLD_LEDGER',
  partitionKey: 'pk',
  indexes: [{ name: 'byJob', partitionKey: 'job', sortKey: 'createdAt' }],
};

const NOW = Date.parse('2026-12-05T10:00:00Z');
const EXPIRES = Math.floor(NOW / 1000) + 45 * 86_400;

const oldRun = (job: string, id: string, status: string): Record<string, AttributeValue> => ({
  pk: S(`${job}/${id}`),
  ...{ job: S(job), id: S(id), status: S(status), fence: N(1), attempt: N(1) },
  ...{ createdAt: S('2026-12-01T00:00:00.000Z'), expiresAt: N(EXPIRES) },
});

async function put(table: string, item: Record<string, AttributeValue>): Promise<void> {
  await dynamo().send(new PutItemCommand({ TableName: table, Item: item }));
}

async function get(table: string, key: Record<string, AttributeValue>) {
  const { Item } = await dynamo().send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item ? fromItem(Item) : undefined;
}

describe('Function: importLedger, from the byJob layout to job partitions, on DynamoDB Local', () => {
  it('copies runs, leases and schedule states under new keys, keeps newer runs, and runs twice safely', async () => {
    const [from, to] = await Promise.all([createTable(oldLedger), createTable(ledgerTable)]);
    await put(from, oldRun('send-email', 'order-confirmation/o-1', 'SUCCEEDED'));
    await put(from, oldRun('send-email', 'again', 'SUCCEEDED'));
    await put(from, oldRun('cleanup', 'daily@2026-12-01T02:00:00Z', 'DEAD'));
    await put(from, { pk: S('#lease/cleanup/daily'), holder: S('h-1'), token: N(3) });
    await put(from, { pk: S('#schedule/cleanup/daily'), pausedSince: N(NOW - 3_600_000), checkedUntil: N(NOW) });
    await put(from, { pk: S('stray'), note: S('not a run') });
    // A run of the same job ID since the deploy: the new ledger's item wins.
    await put(to, { ...runKey({ job: 'send-email', id: 'again' }), job: S('send-email'), status: S('RUNNING') });
    // The watchdog's first check since the deploy, which knows nothing of the pause.
    await put(to, { ...singletonKey('#schedule/cleanup/daily'), checkedUntil: N(NOW + 300_000) });

    const answer = await importLedger(dynamo(), from, to);

    expect(answer).toEqual({ from, to, copied: 4, present: 1, skipped: ['stray'] });
    expect(await get(to, runKey({ job: 'send-email', id: 'order-confirmation/o-1' }))).toMatchObject({
      job: 'send-email',
      id: 'order-confirmation/o-1',
      status: 'SUCCEEDED',
      expiresAt: EXPIRES,
    });
    expect(await get(to, runKey({ job: 'send-email', id: 'again' }))).toMatchObject({ status: 'RUNNING' });
    expect(await get(to, singletonKey('#lease/cleanup/daily'))).toMatchObject({ holder: 'h-1', token: 3 });
    // A schedule's old state replaces the fresh one: the pause survives the move.
    expect(await get(to, singletonKey('#schedule/cleanup/daily'))).toMatchObject({
      pausedSince: NOW - 3_600_000,
      checkedUntil: NOW,
    });
    // What the copy is for: a job ID that ran before the move is still a duplicate after it.
    const claim = await new DynamoDbRunLedger(dynamo(), to).claim({
      key: { job: 'send-email', id: 'order-confirmation/o-1' },
      now: NOW,
      leaseExpiresAt: NOW + 60_000,
      expiresAt: NOW + 86_400_000,
    });
    expect(claim).toEqual({ outcome: 'duplicate', status: 'SUCCEEDED' });

    expect(await importLedger(dynamo(), from, to)).toMatchObject({ copied: 1, present: 4 });
  });
});
