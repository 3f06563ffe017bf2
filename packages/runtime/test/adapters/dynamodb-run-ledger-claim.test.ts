import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '@serverless-jobs/runtime/adapters';

/** A client whose every call is refused by the condition, with or without the item the condition found. */
function refusing(item?: Record<string, { S: string } | { N: string }>): DynamoDBClient {
  const send = async () => {
    const error = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    if (item) Object.assign(error, { Item: item });
    throw error;
  };
  return { send } as unknown as DynamoDBClient;
}

const NOW = Date.parse('2026-12-05T03:00:00Z');
const request = { key: { job: 'soak', id: 'j-1' }, now: NOW, leaseExpiresAt: NOW + 40_000, expiresAt: NOW + 1e9 };

describe('Class: DynamoDbRunLedger, when a claim is refused', () => {
  it('acknowledges a finished run as a duplicate', async () => {
    const ledger = new DynamoDbRunLedger(refusing({ status: { S: 'SUCCEEDED' } }), 'ledger');
    expect(await ledger.claim(request)).toEqual({ outcome: 'duplicate', status: 'SUCCEEDED' });
  });

  it('waits out the lease of a running one', async () => {
    const ledger = new DynamoDbRunLedger(
      refusing({ status: { S: 'RUNNING' }, leaseExpiresAt: { N: String(NOW + 30_000) } }),
      'ledger',
    );
    expect(await ledger.claim(request)).toEqual({ outcome: 'busy', leaseExpiresAt: NOW + 30_000 });
  });

  it('tries again soon, and never acknowledges, when the refusal does not say what it found', async () => {
    const ledger = new DynamoDbRunLedger(refusing(), 'ledger');
    expect(await ledger.claim(request)).toEqual({ outcome: 'busy', leaseExpiresAt: NOW + 30_000 });
  });
});
