import type { AttributeValue, WriteRequest } from '@aws-sdk/client-dynamodb';
import { chunk } from '../runtime/chunk.ts';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_LIMIT = 25;

/** Sends one BatchWriteItem and returns what DynamoDB left unprocessed. */
export type BatchWrite = (
  requests: Record<string, WriteRequest[]>,
) => Promise<Record<string, WriteRequest[]> | undefined>;

export interface BatchDeleteOptions {
  /** Writes per chunk before giving up with an error. @default 8 */
  readonly maxAttempts?: number;
  /** First backoff in milliseconds; doubles per retry. @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** Injected so tests do not wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Some deletes stayed unprocessed after every attempt; the caller's run fails and retries from its checkpoint. */
export class UnprocessedDeletesError extends Error {
  constructor(table: string, remaining: number, attempts: number) {
    super(`${remaining} deletes on ${table} were still unprocessed after ${attempts} attempts`);
    this.name = 'UnprocessedDeletesError';
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deletes every key, 25 per request. Unprocessed items (throttling) are retried with exponential
 * backoff and jitter; if they never go through, it throws rather than drop them.
 */
export async function batchDelete(
  write: BatchWrite,
  table: string,
  keys: readonly Record<string, AttributeValue>[],
  options: BatchDeleteOptions = {},
): Promise<void> {
  for (const group of chunk(keys, BATCH_WRITE_LIMIT)) {
    await writeChunk(
      write,
      table,
      group.map((key): WriteRequest => ({ DeleteRequest: { Key: key } })),
      options,
    );
  }
}

async function writeChunk(
  write: BatchWrite,
  table: string,
  chunk: WriteRequest[],
  options: BatchDeleteOptions,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? defaultSleep;
  const baseMs = options.baseDelayMs ?? 50;
  const maxMs = options.maxDelayMs ?? 2000;
  const random = options.random ?? Math.random;
  let pending = chunk;
  for (let attempt = 1; ; attempt += 1) {
    const unprocessed = (await write({ [table]: pending }))?.[table] ?? [];
    if (unprocessed.length === 0) return;
    if (attempt >= maxAttempts) throw new UnprocessedDeletesError(table, unprocessed.length, attempt);
    pending = unprocessed;
    // Half jitter: concurrent runs throttled together do not retry in step, and the cap still holds.
    await sleep(Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (1 - 0.5 * random()));
  }
}
