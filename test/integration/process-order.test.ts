import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { DynamoDbOrderStore } from '#shared/adapters/dynamodb-order-store';
import { domainTables } from '#shared/domain/tables';
import { processOrderJob } from '#shared/jobs/process-order';
import { LeaseLostError } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { confirmOrder, processOrder } from '#functions/process-order/process-order';
import { createTable, dynamo } from '#test/helpers/aws';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

async function setup() {
  const f = await createRuntimeFixture(['send-email']);
  const ordersTable = await createTable(domainTables.orders);
  const store = new DynamoDbOrderStore(dynamo(), { orders: ordersTable, ledger: f.ledgerName });
  const seed = (orderId: string, status = 'PENDING', totalCents = 2500) =>
    dynamo().send(
      new PutItemCommand({
        TableName: ordersTable,
        Item: {
          orderId: S(orderId),
          status: S(status),
          customerEmail: S('ada@example.com'),
          currency: S('EUR'),
          totalCents: N(totalCents),
          items: { L: [{ M: { sku: S('book'), quantity: N(2), unitPriceCents: N(1250) } }] },
        },
      }),
    );
  const order = async (orderId: string) => {
    const { Item } = await dynamo().send(
      new GetItemCommand({ TableName: ordersTable, Key: { orderId: S(orderId) }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  };
  const deps = f.deps(processOrderJob, (payload, ctx) => processOrder(payload as { orderId: string }, ctx, store), {
    afterSuccess: (payload, ctx) => confirmOrder(payload as { orderId: string }, ctx, store),
  });
  const send = (orderId: string) =>
    processBatch(deps, [sqsRecordFactory({ id: `order/${orderId}`, payload: { orderId } })]);
  return { f, store, seed, order, send };
}

describe('Job: process-order (DynamoDB Local + fauxqs)', () => {
  it('moves a PENDING order to PROCESSED with the run, and enqueues one confirmation', async () => {
    const { f, seed, order, send } = await setup();
    await seed('o-1');
    const { response } = await send('o-1');
    expect(response.batchItemFailures).toEqual([]);
    expect(await order('o-1')).toMatchObject({
      status: 'PROCESSED',
      processedAt: '2026-11-24T08:00:00.000Z',
      processedDay: '2026-11-24',
    });
    expect(await f.run(runKey({ job: 'process-order', id: 'order/o-1' }))).toMatchObject({ status: 'SUCCEEDED' });
    const confirmations = await f.drain(f.targetUrls.get('send-email')!);
    expect(confirmations.map((m) => JSON.parse(m.Body ?? '{}'))).toMatchObject([
      {
        id: 'order-confirmation/o-1',
        job: 'send-email',
        payload: { to: 'ada@example.com', subject: 'Your order o-1 is confirmed' },
      },
    ]);
  });

  it('dead-letters an unknown order with a reason that names it', async () => {
    const { f, send } = await setup();
    await send('missing');
    expect(await f.run(runKey({ job: 'process-order', id: 'order/missing' }))).toMatchObject({ status: 'DEAD' });
    const [letter] = await f.drain(f.dlqUrl);
    expect(letter?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
      'permanent failure: PermanentJobError: field "orderId": no such order (given "missing")',
    );
  });

  it('dead-letters an order whose total is not the sum of its items', async () => {
    const { f, seed, order, send } = await setup();
    await seed('o-bad', 'PENDING', 999);
    await send('o-bad');
    expect(await order('o-bad')).toMatchObject({ status: 'PENDING' });
    expect((await f.drain(f.dlqUrl))[0]?.MessageAttributes?.['sj-reason']?.StringValue).toContain(
      'field "totalCents" must equal the items\' sum 2500 (given 999)',
    );
  });

  it(
    'treats an order processed already as a no-op that succeeds, re-sending only the deduplicated ' +
      'confirmation job',
    async () => {
      const { f, seed, order, send } = await setup();
      await seed('o-done', 'PROCESSED');
      const { response } = await send('o-done');
      expect(response.batchItemFailures).toEqual([]);
      expect(await order('o-done')).not.toHaveProperty('processedAt');
      expect(await f.run(runKey({ job: 'process-order', id: 'order/o-done' }))).toMatchObject({ status: 'SUCCEEDED' });
      const confirmations = (await f.drain(f.targetUrls.get('send-email')!)).map(
        (m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id,
      );
      expect(confirmations).toEqual(['order-confirmation/o-done']);
    },
  );

  it('never loses the confirmation when the worker dies between the commit and the enqueue', async () => {
    const { f, store, seed, order } = await setup();
    await seed('o-crash');
    let crash = true;
    const deps = f.deps(processOrderJob, (payload, ctx) => processOrder(payload as { orderId: string }, ctx, store), {
      afterSuccess: async (payload, ctx) => {
        if (crash) throw new Error('worker died after the commit');
        await confirmOrder(payload as { orderId: string }, ctx, store);
      },
    });
    const message = { id: 'order/o-crash', payload: { orderId: 'o-crash' } };
    const first = await processBatch(deps, [sqsRecordFactory(message)]);
    expect(first.outcomes[0]).toMatchObject({ kind: 'retry', result: 'ERROR' });
    expect(await order('o-crash')).toMatchObject({ status: 'PROCESSED' });
    expect(await f.drain(f.targetUrls.get('send-email')!)).toEqual([]);
    crash = false;
    const redelivery = await processBatch(deps, [sqsRecordFactory(message)]);
    expect(redelivery.outcomes[0]).toEqual({ kind: 'ack', result: 'DUPLICATE' });
    const confirmations = (await f.drain(f.targetUrls.get('send-email')!)).map(
      (m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id,
    );
    expect(confirmations).toEqual(['order-confirmation/o-crash']);
    expect(await f.run(runKey({ job: 'process-order', id: 'order/o-crash' }))).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
    });
  });

  it('commits the order and the run completion together or not at all', async () => {
    const { f, store, seed, order } = await setup();
    await seed('o-tx');
    const key = { job: 'process-order', id: 'order/o-tx' };
    const now = f.clock.now();
    await f.ledger.claim({ key, now, leaseExpiresAt: now + 1_000, expiresAt: now + 1e9 });
    // another delivery took over: fence 2
    await f.ledger.claim({ key, now: now + 2_000, leaseExpiresAt: now + 10_000, expiresAt: now + 1e9 });
    const stale = store.markProcessed('o-tx', new Date(now), { key, fence: 1, finishedAt: now, durationMs: 1 });
    await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
    expect(await order('o-tx')).toMatchObject({ status: 'PENDING' });
    expect(await f.run(runKey(key))).toMatchObject({ status: 'RUNNING', fence: 2 });

    expect(await store.markProcessed('o-tx', new Date(now), { key, fence: 2, finishedAt: now, durationMs: 1 })).toBe(
      'processed',
    );
    expect(await order('o-tx')).toMatchObject({ status: 'PROCESSED' });
    expect(await f.run(runKey(key))).toMatchObject({ status: 'SUCCEEDED' });
  });
});
