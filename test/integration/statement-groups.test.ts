import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRunLedger, runKey } from '@serverless-jobs/runtime/adapters';
import { runPartition } from '@serverless-jobs/runtime/contracts';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { RunCancelledError, type RunKey } from '@serverless-jobs/runtime/runtime';
import { createTable, dynamo } from '#test/helpers/aws';
import { injectFault, serviceError } from '#test/helpers/fault-injection';

const NOW = Date.parse('2026-12-05T08:00:00Z');

/** Counts the requests a client sends, by command; rewrites one BatchExecuteStatement answer when asked. */
function watch(
  client: DynamoDBClient,
  rewrite?: (responses: { Error?: { Code?: string; Message?: string } }[]) => Promise<void>,
): Map<string, number> {
  const sent = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      sent.set(name, (sent.get(name) ?? 0) + 1);
      const result = await next(args);
      const output = result.output as { Responses?: { Error?: { Code?: string; Message?: string } }[] };
      if (name === 'BatchExecuteStatementCommand' && rewrite && output.Responses) await rewrite(output.Responses);
      return result;
    },
    { step: 'initialize', name: 'watch' },
  );
  return sent;
}

/** Claimed one at a time, so each claim is an UpdateItem alone. */
async function claimed(ledger: DynamoDbRunLedger, ids: readonly string[]): Promise<RunKey[]> {
  const keys = ids.map((id) => ({ job: 'send-email', id }));
  for (const key of keys) {
    const claim = await ledger.claim({ key, now: NOW, leaseExpiresAt: NOW + 60_000, expiresAt: NOW + 86_400_000 });
    expect(claim).toMatchObject({ outcome: 'claimed', fence: 1 });
  }
  return keys;
}

const runKeyPlain = (id: string) => ({ pk: runPartition('send-email', id), sk: id });

const complete = (ledger: DynamoDbRunLedger, key: RunKey, fence = 1) =>
  ledger.succeed({ key, fence, finishedAt: NOW + 500, durationMs: 500 });

async function item(client: DynamoDBClient, table: string, key: RunKey) {
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: runKey(key) }));
  return Item && unmarshall(Item);
}

describe('Claims and completions written together (DynamoDB Local)', () => {
  it('writes 30 concurrent completions in two requests (25 and 5), each as its own UpdateItem would', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const keys = await claimed(
      ledger,
      Array.from({ length: 30 }, (_, n) => `together-${n}`),
    );
    const sent = watch(client);
    expect(await Promise.all(keys.map((key) => complete(ledger, key)))).toEqual(keys.map(() => true));
    expect(Object.fromEntries(sent)).toEqual({ BatchExecuteStatementCommand: 2 });
    for (const key of keys) {
      const run = await item(client, table, key);
      expect(run).toMatchObject({ status: 'SUCCEEDED', finishedAt: '2026-12-05T08:00:00.500Z', durationMs: 500 });
      expect(run?.updatedAt).toBe(run?.finishedAt);
      expect(run).not.toHaveProperty('leaseExpiresAt');
    }
  });

  it('answers a stale fence false and a cancelled run with RunCancelledError, without touching siblings', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const [first, stale, cancelled, sibling] = await claimed(ledger, ['first', 'stale', 'cancelled', 'sibling']);
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: runKey(cancelled!),
        UpdateExpression: 'SET #status = :cancelled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': { S: 'CANCELLED' } },
      }),
    );
    const sent = watch(client);
    const answers = await Promise.allSettled([
      complete(ledger, first!),
      complete(ledger, stale!, 7),
      complete(ledger, cancelled!),
      complete(ledger, sibling!),
    ]);
    expect(sent.get('BatchExecuteStatementCommand')).toBe(1);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: true });
    expect(answers[1]).toEqual({ status: 'fulfilled', value: false });
    expect(answers[2]).toMatchObject({ status: 'rejected', reason: expect.any(RunCancelledError) });
    expect(answers[3]).toEqual({ status: 'fulfilled', value: true });
    expect(await item(client, table, stale!)).toMatchObject({ status: 'RUNNING', fence: 1 });
    expect(await item(client, table, cancelled!)).toMatchObject({ status: 'CANCELLED' });
    expect(await item(client, table, sibling!)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('writes a statement that was throttled again on its own', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const keys = await claimed(ledger, ['a', 'throttled', 'b']);
    // DynamoDB Local never throttles one statement of a batch: the answer says it did, and its write is undone.
    const sent = watch(client, async (responses) => {
      responses[1] = { Error: { Code: 'ThrottlingError' } };
      await dynamo().send(
        new UpdateItemCommand({
          TableName: table,
          Key: runKey(keys[1]!),
          UpdateExpression: 'SET #status = :running REMOVE #finishedAt',
          ExpressionAttributeNames: { '#status': 'status', '#finishedAt': 'finishedAt' },
          ExpressionAttributeValues: { ':running': { S: 'RUNNING' } },
        }),
      );
    });
    const answers = await Promise.all(keys.map((key) => complete(ledger, key)));
    expect(answers).toEqual([true, true, true]);
    expect(Object.fromEntries(sent)).toEqual({ UpdateItemCommand: 1, BatchExecuteStatementCommand: 1 });
    for (const key of keys) expect(await item(client, table, key)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('claims a batch of new runs in one request, writing each item as the UpdateItem claim does', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const request = (id: string) => ({
      key: { job: 'send-email', id },
      now: NOW,
      leaseExpiresAt: NOW + 60_000,
      expiresAt: NOW + 86_400_000,
      enqueuedAt: NOW - 250,
      traceId: '1-6756b000-0123456789abcdef01234567',
      occurrence: { schedule: 'daily', time: '2026-12-05T08:00:00.000Z', timeZone: 'UTC' },
      firstDelivery: true,
    });
    // One claimed alone first, by the UpdateItem: the item the others must match.
    expect(await ledger.claim(request('alone'))).toEqual({ outcome: 'claimed', attempt: 1, fence: 1 });
    const sent = watch(client);
    const ids = ['g1', 'g2', 'g3', 'g4'];
    const claims = await Promise.all(ids.map((id) => ledger.claim(request(id))));
    expect(claims).toEqual(ids.map(() => ({ outcome: 'claimed', attempt: 1, fence: 1 })));
    expect(Object.fromEntries(sent)).toEqual({ BatchExecuteStatementCommand: 1 });
    const { pk: _pk, sk: _sk, id: _id, ...alone } = (await item(client, table, { job: 'send-email', id: 'alone' }))!;
    for (const id of ids) {
      const { pk, sk, id: itemId, ...rest } = (await item(client, table, { job: 'send-email', id }))!;
      expect({ pk, sk, itemId }).toEqual({ ...runKeyPlain(id), itemId: id });
      expect(rest).toEqual(alone);
    }
  });

  it('claims a run that has an item already alone, and gives a twice-delivered ID to one claim only', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const [pending, running, done] = await claimed(ledger, ['pending', 'running', 'done']);
    expect(await ledger.wait(pending!, 1, { now: NOW + 1, reason: 'behind another run' })).toBe(true);
    expect(await complete(ledger, done!)).toBe(true);
    const sent = watch(client);
    const claim = (id: string) =>
      ledger.claim({
        key: { job: 'send-email', id },
        now: NOW + 10,
        leaseExpiresAt: NOW + 60_000,
        expiresAt: NOW + 86_400_000,
        firstDelivery: true,
      });
    const answers = await Promise.all(['fresh', 'pending', 'running', 'done', 'twice', 'twice'].map(claim));
    expect(answers).toEqual([
      { outcome: 'claimed', attempt: 1, fence: 1 },
      { outcome: 'claimed', attempt: 1, fence: 2 },
      { outcome: 'busy', leaseExpiresAt: NOW + 60_000 },
      { outcome: 'duplicate', status: 'SUCCEEDED' },
      { outcome: 'claimed', attempt: 1, fence: 1 },
      { outcome: 'busy', leaseExpiresAt: NOW + 60_000 },
    ]);
    // The group of five distinct items; the three that exist, claimed again alone; the second 'twice' in the next
    // round, alone.
    expect(Object.fromEntries(sent)).toEqual({ BatchExecuteStatementCommand: 1, UpdateItemCommand: 4 });
    expect(await item(client, table, running!)).toMatchObject({ status: 'RUNNING', fence: 1 });
  });

  it('fails each write of a group on its own: one that cannot be built, one refused, a request refused', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    const claim = (id: string, enqueuedAt?: number) =>
      ledger.claim({
        key: { job: 'send-email', id },
        now: NOW,
        leaseExpiresAt: NOW + 60_000,
        expiresAt: NOW + 86_400_000,
        enqueuedAt,
        firstDelivery: true,
      });
    const sent = watch(client, async (responses) => {
      if (responses.length === 3) responses[2] = { Error: { Code: 'AccessDenied', Message: 'no PartiQLInsert' } };
    });
    // A time no Date can hold: its statement cannot be built, and it fails alone, as its UpdateItem would.
    const answers = await Promise.allSettled([claim('ok-1'), claim('bad-time', 1e17), claim('ok-2'), claim('denied')]);
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(answers[1]).toMatchObject({ reason: expect.any(RangeError) });
    expect(answers[3]).toMatchObject({ reason: { name: 'AccessDenied', message: 'AccessDenied: no PartiQLInsert' } });
    expect(Object.fromEntries(sent)).toEqual({ BatchExecuteStatementCommand: 1 });

    // A request refused as a whole (not a passing fault) fails each write in it, and nothing is written alone.
    const denied = injectFault(client, {
      match: ({ command }) => command === 'BatchExecuteStatementCommand',
      error: () => serviceError('AccessDeniedException', 400, 'not authorized to perform dynamodb:PartiQLInsert'),
    });
    const refused = await Promise.allSettled([claim('r-1'), claim('r-2')]);
    expect(refused.map((answer) => answer.status)).toEqual(['rejected', 'rejected']);
    expect(denied.thrown()).toBe(1);
    expect(await item(client, table, { job: 'send-email', id: 'r-1' })).toBeUndefined();
  });

  it('writes each claim again alone when its request failed as a whole for a passing reason', async () => {
    const client = dynamo();
    const table = await createTable(ledgerTable);
    const ledger = new DynamoDbRunLedger(client, table);
    // A 500 past the SDK's retries.
    const fault = injectFault(client, { match: ({ command }) => command === 'BatchExecuteStatementCommand' });
    const sent = watch(client);
    const claim = (id: string, firstDelivery: boolean) =>
      ledger.claim({
        key: { job: 'send-email', id },
        now: NOW,
        leaseExpiresAt: NOW + 60_000,
        expiresAt: NOW + 86_400_000,
        firstDelivery,
      });
    const answers = await Promise.all([claim('t-1', true), claim('t-2', true), claim('later', false)]);
    expect(answers).toEqual(answers.map(() => ({ outcome: 'claimed', attempt: 1, fence: 1 })));
    // The group's request failed before the watch saw it; then the two first claims alone, and the later delivery
    // alone from the start.
    expect(fault.thrown()).toBe(1);
    expect(Object.fromEntries(sent)).toEqual({ UpdateItemCommand: 3 });
  });
});
