import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { seededRandom } from '#infra/local/seeded-random';

const DAY_MS = 86_400_000;
const SHARDS = 8;

export interface DemoItems {
  readonly customers: Record<string, AttributeValue>[];
  readonly orders: Record<string, AttributeValue>[];
  readonly auditLog: Record<string, AttributeValue>[];
}

/**
 * Sample data for `npm run seed`: customers (some soft-deleted at ages on both sides of the 30-day
 * cutoff), orders over the last days (PENDING and PROCESSED, so reports have figures), and audit-log
 * entries spread over 150 days (so cleanup has work on both sides of the 90-day cutoff).
 */
export function demoData(now: number): DemoItems {
  const next = seededRandom(42);
  const iso = (ms: number) => new Date(ms).toISOString();
  const customers = Array.from({ length: 20 }, (_, i) => {
    const deletedDaysAgo = [5, 20, 29, 31, 45, 90][i];
    const item: Record<string, AttributeValue> = {
      customerId: S(`c-${i + 1}`),
      email: S(`customer${i + 1}@example.com`),
      name: S(`Customer ${i + 1}`),
    };
    if (deletedDaysAgo !== undefined) {
      item.deletedAt = S(iso(now - deletedDaysAgo * DAY_MS));
      item.deletedShard = S(String(i % SHARDS));
    }
    return item;
  });
  const orders = Array.from({ length: 30 }, (_, i) => {
    const quantity = 1 + Math.floor(next() * 3);
    const unitPriceCents = 500 + Math.floor(next() * 50) * 100;
    const createdAt = now - Math.floor(next() * 3 * DAY_MS);
    const item: Record<string, AttributeValue> = {
      orderId: S(`demo-${String(i + 1).padStart(3, '0')}`),
      status: S(i < 10 ? 'PENDING' : 'PROCESSED'),
      customerEmail: S(`customer${(i % 20) + 1}@example.com`),
      currency: S(i % 4 === 0 ? 'USD' : 'EUR'),
      totalCents: N(quantity * unitPriceCents),
      createdAt: S(iso(createdAt)),
      items: { L: [{ M: { sku: S(`sku-${i % 7}`), quantity: N(quantity), unitPriceCents: N(unitPriceCents) } }] },
    };
    if (i >= 10) {
      const processedAt = iso(Math.min(now, createdAt + 60_000));
      item.processedAt = S(processedAt);
      item.processedDay = S(processedAt.slice(0, 10));
    }
    return item;
  });
  const auditLog = Array.from({ length: 200 }, (_, i) => {
    const at = iso(now - Math.floor(next() * 150 * DAY_MS));
    return {
      shard: S(String(i % SHARDS)),
      at: S(`${at}#a-${i + 1}`),
      action: S(['login', 'update', 'export'][i % 3]!),
      actor: S(`c-${(i % 20) + 1}`),
    };
  });
  return { customers, orders, auditLog };
}
