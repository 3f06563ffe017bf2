import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbOccurrenceLedger } from '@serverless-jobs/runtime/adapters';
import { DynamoDbRunLedger, runKey } from '@serverless-jobs/runtime/adapters';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { occurrenceJobId } from '@serverless-jobs/runtime/contracts';
import { createTable, dynamo } from '#test/helpers/aws';

const NOW = Date.parse('2027-02-05T12:00:00Z');
const marker = { now: NOW, reason: 'backfill', expiresAt: NOW + 86_400_000 };

/** The PENDING marker of a catch-up or backfill occurrence, on DynamoDB Local. */
describe('Method: DynamoDbOccurrenceLedger.unmarkPending', () => {
  it('takes back its own marker, and leaves one that a delivery has claimed and parked to wait its turn', async () => {
    const table = await createTable(ledgerTable);
    const occurrences = new DynamoDbOccurrenceLedger(dynamo(), table);
    const runs = new DynamoDbRunLedger(dynamo(), table);
    const item = async (time: string) =>
      (
        await dynamo().send(
          new GetItemCommand({
            TableName: table,
            Key: runKey({ job: 'daily-report', id: occurrenceJobId('daily', time) }),
            ConsistentRead: true,
          }),
        )
      ).Item;

    const unsent = { schedule: 'daily', time: '2027-02-01T06:00:00Z', timeZone: 'UTC' };
    expect(await occurrences.markPending('daily-report', unsent, marker)).toBe(true);
    await occurrences.unmarkPending('daily-report', unsent, marker);
    expect(await item(unsent.time)).toBeUndefined();

    // The send failed after SQS took the message: a delivery claims the run, then waits behind a running one.
    const delivered = { schedule: 'daily', time: '2027-02-02T06:00:00Z', timeZone: 'UTC' };
    expect(await occurrences.markPending('daily-report', delivered, marker)).toBe(true);
    const key = { job: 'daily-report', id: occurrenceJobId('daily', delivered.time) };
    expect(
      await runs.claim({ key, now: NOW + 1_000, leaseExpiresAt: NOW + 61_000, expiresAt: NOW + 86_400_000 }),
    ).toMatchObject({ outcome: 'claimed', fence: 1 });
    expect(await runs.wait(key, 1, { now: NOW + 2_000, reason: 'waits its turn' })).toBe(true);
    await occurrences.unmarkPending('daily-report', delivered, marker);
    expect(await item(delivered.time)).toMatchObject({ status: { S: 'PENDING' }, fence: { N: '1' } });
  });
});
