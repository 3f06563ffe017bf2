import { describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '@serverless-jobs/runtime/adapters';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { createTable, dynamo } from '#test/helpers/aws';

const NOW = Date.parse('2026-11-24T08:00:00Z');

describe('Class: DynamoDbRunLedger (DynamoDB Local)', () => {
  it('gives exactly one winner out of 16 parallel claims of one job ID', async () => {
    const table = await createTable(ledgerTable);
    const key = { job: 'send-email', id: 'parallel-1' };
    // Each claim has its own client and connection, so the 16 requests really are in flight together.
    const claims = await Promise.all(
      Array.from({ length: 16 }, () =>
        new DynamoDbRunLedger(dynamo(), table).claim({
          key,
          now: NOW,
          leaseExpiresAt: NOW + 60_000,
          expiresAt: NOW + 86_400_000,
        }),
      ),
    );
    const outcomes = claims.map((claim) => claim.outcome);
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'busy')).toHaveLength(15);
  });

  it('lets a second delivery reclaim a run whose lease expired, and not before', async () => {
    const ledger = new DynamoDbRunLedger(dynamo(), await createTable(ledgerTable));
    const key = { job: 'cleanup', id: 'lease-1' };
    const claim = (now: number) =>
      ledger.claim({ key, now, leaseExpiresAt: now + 30_000, expiresAt: now + 86_400_000 });
    expect(await claim(NOW)).toMatchObject({ outcome: 'claimed', fence: 1 });
    expect(await claim(NOW + 29_999)).toEqual({ outcome: 'busy', leaseExpiresAt: NOW + 30_000 });
    expect(await claim(NOW + 30_001)).toMatchObject({ outcome: 'claimed', fence: 2, attempt: 2 });
  });

  it('returns the checkpoint of an earlier attempt to the next claim', async () => {
    const ledger = new DynamoDbRunLedger(dynamo(), await createTable(ledgerTable));
    const key = { job: 'cleanup', id: 'checkpoint-1' };
    await ledger.claim({ key, now: NOW, leaseExpiresAt: NOW + 1_000, expiresAt: NOW + 86_400_000 });
    expect(await ledger.checkpoint(key, 1, { shard: 3 })).toBe(true);
    await ledger.fail(key, 1, { now: NOW + 10, error: 'boom' });
    expect(
      await ledger.claim({ key, now: NOW + 20, leaseExpiresAt: NOW + 1_000, expiresAt: NOW + 86_400_000 }),
    ).toMatchObject({
      outcome: 'claimed',
      attempt: 2,
      checkpoint: { shard: 3 },
    });
  });
});
