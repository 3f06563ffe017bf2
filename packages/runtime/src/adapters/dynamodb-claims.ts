import type { AttributeValue, BatchStatementRequest } from '@aws-sdk/client-dynamodb';
import { N, S, iso, ttlSeconds } from './attribute-values.ts';
import { runIdentity, runKey } from './ledger-keys.ts';
import { ALONE, type GroupedWrite } from './statement-groups.ts';
import { type ClaimRequest, type ClaimResult, RunStatus } from '../runtime/run-ledger.ts';

/** A run's first claim as a PartiQL INSERT: the item the claim's UpdateItem writes when there is none yet. */
function firstClaimStatement(tableName: string, request: ClaimRequest): BatchStatementRequest {
  const startedAt = S(iso(request.now));
  const item: Record<string, AttributeValue> = {
    ...runKey(request.key),
    status: S(RunStatus.RUNNING),
    job: S(request.key.job),
    id: S(request.key.id),
    leaseExpiresAt: N(request.leaseExpiresAt),
    startedAt,
    updatedAt: startedAt,
    createdAt: startedAt,
    expiresAt: N(ttlSeconds(request.expiresAt)),
    fence: N(1),
    attempt: N(1),
  };
  if (request.enqueuedAt !== undefined) item.enqueuedAt = S(iso(request.enqueuedAt));
  if (request.traceId !== undefined) item.traceId = S(request.traceId);
  if (request.occurrence) {
    item.schedule = S(request.occurrence.schedule);
    item.occurrence = S(request.occurrence.time);
  }
  const attributes = Object.keys(item);
  return {
    Statement: `INSERT INTO "${tableName}" VALUE {${attributes.map((name) => `'${name}': ?`).join(', ')}}`,
    Parameters: attributes.map((name) => item[name]!),
  };
}

/**
 * First claims as grouped writes. A run with no item yet is claimed by the INSERT, at attempt 1 and fence 1, as the
 * UpdateItem would have claimed it; one that has an item (a run enqueued PENDING, a job ID sent twice) fails it with
 * DuplicateItem, and is claimed again alone, by the UpdateItem that reads what it found.
 */
export function groupedFirstClaims(
  tableName: string,
  alone: (request: ClaimRequest) => Promise<ClaimResult>,
): GroupedWrite<ClaimRequest, ClaimResult> {
  return {
    key: (request) => runIdentity(request.key),
    statement: (request) => firstClaimStatement(tableName, request),
    alone,
    written: () => ({ outcome: 'claimed', attempt: 1, fence: 1 }),
    failed: (_, error) => (error.Code === 'DuplicateItem' ? ALONE : undefined),
  };
}
