import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { S } from '@serverless-jobs/runtime/adapters';
import { type BatchWrite, batchDelete, UnprocessedDeletesError } from '@serverless-jobs/runtime/adapters';

const keys = (count: number) => Array.from({ length: count }, (_, n) => ({ id: S(`item-${n}`) }));
const idsOf = (requests: readonly WriteRequest[]): string[] =>
  requests.map((request) => request.DeleteRequest?.Key?.id?.S ?? '?');

/** A BatchWriteItem that leaves the last `unprocessed[n]` requests of call n unprocessed, as throttling does. */
function throttlingWrite(unprocessed: readonly number[]): { write: BatchWrite; calls: string[][] } {
  const calls: string[][] = [];
  const write: BatchWrite = async (requests) => {
    const sent = requests.audit ?? [];
    calls.push(idsOf(sent));
    const leftOver = unprocessed[calls.length - 1] ?? 0;
    return leftOver > 0 ? { audit: sent.slice(sent.length - leftOver) } : undefined;
  };
  return { write, calls };
}

describe('Function: batchDelete', () => {
  it('sends at most 25 deletes per request when given more keys', async () => {
    // Prepare
    const { write, calls } = throttlingWrite([]);

    // Act
    await batchDelete(write, 'audit', keys(60));

    // Assess
    expect(calls.map((call) => call.length)).toEqual([25, 25, 10]);
  });

  it('retries the unprocessed items with a growing backoff when DynamoDB throttles', async () => {
    // Prepare
    const { write, calls } = throttlingWrite([3, 1]);
    const sleeps: number[] = [];

    // Act
    await batchDelete(write, 'audit', keys(5), { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });

    // Assess
    expect(calls).toEqual([
      ['item-0', 'item-1', 'item-2', 'item-3', 'item-4'],
      ['item-2', 'item-3', 'item-4'],
      ['item-4'],
    ]);
    expect(sleeps).toEqual([50, 100]);
  });

  it('throws rather than drop items when they stay unprocessed after every attempt', async () => {
    // Prepare
    const { write, calls } = throttlingWrite([2, 2, 2]);

    // Act
    const run = batchDelete(write, 'audit', keys(2), { maxAttempts: 3, sleep: async () => {} });

    // Assess
    await expect(run).rejects.toThrow(UnprocessedDeletesError);
    await expect(run).rejects.toThrow('2 deletes on audit were still unprocessed after 3 attempts');
    expect(calls).toHaveLength(3);
  });
});
