import { describe, expect, it } from 'vitest';
import type { CleanupCursor } from '#shared/cleanup/cleanup-cursor';
import { type CleanupSettings, runCleanup } from '#shared/cleanup/run-cleanup';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext, runsOutAfter } from '#test/helpers/fake-job-context';
import { InMemoryCleanupStore } from '#test/unit/cleanup-fake-store';

const NOW = '2026-03-01T02:00:00.000Z';
const settings: CleanupSettings = { auditRetentionDays: 90, customerRetentionDays: 30, pageSize: 2, shards: 2 };
const daysAgo = (days: number, from = NOW): string => new Date(Date.parse(from) - days * 86_400_000).toISOString();

/** Audit entries of `shard` at the given ages in days; the ID is the sort key `<ISO>#<n>`. */
function seedAudit(store: InMemoryCleanupStore, shard: string, ages: readonly number[]): void {
  ages.forEach((age, n) => {
    const time = daysAgo(age);
    store.auditLog.add(shard, `${time}#${shard}-${n}`, `${time}#${shard}-${n}`);
  });
}

function context(
  overrides: { remainingMs?: () => number; resume?: unknown; checkpointed?: unknown; now?: string } = {},
) {
  return fakeJobContext({ settings, clock: new FakeClock(Date.parse(overrides.now ?? NOW)), ...overrides });
}

describe('Function: runCleanup', () => {
  it('counts the ages from its scheduled occurrence, not from when it happens to run', async () => {
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [91, 89]);
    // The run starts two days late (a catch-up): measured from now, the 89-day-old entry would be 91 days old.
    const fake = fakeJobContext({
      settings,
      clock: new FakeClock(Date.parse(NOW) + 2 * 86_400_000),
      occurrence: { schedule: 'daily', time: NOW, timeZone: 'UTC' },
    });
    await runCleanup({}, fake.ctx, store);
    expect(store.auditLog.ids()).toEqual([`${daysAgo(89)}#0-1`]);
  });

  it('deletes only audit entries and customers older than their retention when run in one go', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [120, 91, 89, 1]);
    seedAudit(store, '1', [100, 90]);
    store.customers.add('0', 'old-customer', daysAgo(31));
    store.customers.add('1', 'recent-customer', daysAgo(29));
    const fake = context();

    // Act
    const outcome = await runCleanup({}, fake.ctx, store);

    // Assess
    expect(outcome.status).toBe('done');
    expect(store.auditLog.ids()).toEqual([`${daysAgo(1)}#0-3`, `${daysAgo(89)}#0-2`, `${daysAgo(90)}#1-1`].sort());
    expect(store.customers.ids()).toEqual(['recent-customer']);
    expect(outcome.cursor.deleted).toEqual({ audit: 3, customers: 1 });
    expect(fake.continuations).toEqual([]);
    expect(fake.logs.find((line) => line.message === 'Cleanup finished')?.extra[0]).toMatchObject({
      deleted: { audit: 3, customers: 1 },
    });
  });

  it('uses the retention days of the payload when it overrides the settings', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [20, 5]);
    store.customers.add('0', 'deleted-8-days-ago', daysAgo(8));

    // Act
    await runCleanup({ auditRetentionDays: 10, customerRetentionDays: 7 }, context().ctx, store);

    // Assess
    expect(store.auditLog.ids()).toEqual([`${daysAgo(5)}#0-1`]);
    expect(store.customers.ids()).toEqual([]);
  });

  it('queries page by page with the page size and the previous key when a shard has more than a page', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [200, 199, 198, 197, 196]);

    // Act
    await runCleanup({}, context().ctx, store);

    // Assess
    const shardZero = store.auditLog.pageQueries.filter((query) => query.shard === '0');
    expect(shardZero.map((query) => query.limit)).toEqual([2, 2, 2]);
    expect(shardZero[0]?.startKey).toBeUndefined();
    expect(shardZero[1]?.startKey).toEqual({ id: `${daysAgo(199)}#0-1`, time: `${daysAgo(199)}#0-1` });
    expect(store.auditLog.deleteCalls.map((ids) => ids.length)).toEqual([2, 2, 1]);
    expect(store.auditLog.pageQueries.map((query) => query.shard)).toEqual(['0', '0', '0', '1']);
    expect(store.customers.pageQueries.map((query) => query.shard)).toEqual(['0', '1']);
  });

  it('checkpoints every tenth page rather than every page when the run is long', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(
      store,
      '0',
      Array.from({ length: 44 }, (_, n) => 100 + n),
    );

    const fake = context();

    // Act
    await runCleanup({}, fake.ctx, store, { checkpointEveryPages: 10 });

    // Assess: 23 audit pages + 2 customer pages = 25 pages, so checkpoints after pages 10 and 20
    expect(fake.checkpoints).toHaveLength(2);
    expect(fake.checkpoints[0]).toMatchObject({ phase: 'audit', shard: 0, deleted: { audit: 20, customers: 0 } });
  });

  it('hands over to a continuation and stops when the remaining time falls below the margin', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [100, 101, 102, 103, 104, 105]);
    const fake = context({ remainingMs: runsOutAfter(1, 19_999) });

    // Act
    const outcome = await runCleanup({}, fake.ctx, store);

    // Assess
    expect(outcome.status).toBe('continued');
    expect(store.auditLog.ids()).toHaveLength(2);
    expect(fake.continuations).toEqual([
      expect.objectContaining({
        phase: 'audit',
        shard: 0,
        deleted: { audit: 4, customers: 0 },
        cutoffs: { audit: daysAgo(90), customers: daysAgo(30) },
      }),
    ]);
    expect(fake.logs.some((line) => line.message === 'Cleanup finished')).toBe(false);
  });

  it('deletes one page before handing over when the invocation starts already low on time', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [100, 101, 102]);
    const fake = context({ remainingMs: () => 1_000 });

    // Act
    const outcome = await runCleanup({}, fake.ctx, store);

    // Assess
    expect(outcome.status).toBe('continued');
    expect(store.auditLog.deleteCalls).toEqual([[expect.any(String), expect.any(String)]]);
    expect(fake.continuations).toHaveLength(1);
  });

  it('keeps the cutoffs of the first run when a continuation runs days later', async () => {
    // Prepare: the entry 85 days old is young enough today, but 91 days old when the continuation runs
    const store = new InMemoryCleanupStore();
    seedAudit(store, '0', [100, 101, 102, 85]);
    const first = context({ remainingMs: runsOutAfter(1) });
    await runCleanup({}, first.ctx, store);
    const later = daysAgo(-6);

    // Act
    const second = context({ resume: first.continuations[0], now: later });
    const outcome = await runCleanup({}, second.ctx, store);

    // Assess
    expect(outcome.status).toBe('done');
    expect(store.auditLog.ids()).toEqual([`${daysAgo(85)}#0-3`]);
    expect(outcome.cursor.cutoffs.audit).toBe(daysAgo(90));
    expect(outcome.cursor.deleted.audit).toBe(3);
  });

  it('resumes from its own checkpoint rather than the continuation state when a continuation is retried', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();
    store.customers.add('1', 'old', daysAgo(40));
    const cutoffs = { audit: daysAgo(90), customers: daysAgo(30) };
    const resume: CleanupCursor = { phase: 'audit', shard: 0, cutoffs, deleted: { audit: 0, customers: 0 } };
    const checkpointed: CleanupCursor = { phase: 'customers', shard: 1, cutoffs, deleted: { audit: 7, customers: 0 } };

    // Act
    const outcome = await runCleanup({}, context({ resume, checkpointed }).ctx, store);

    // Assess
    expect(store.auditLog.pageQueries).toEqual([]);
    expect(store.customers.pageQueries.map((query) => query.shard)).toEqual(['1']);
    expect(outcome.cursor.deleted).toEqual({ audit: 7, customers: 1 });
  });

  it('fails instead of starting over when the resume state is not a cursor', async () => {
    // Prepare
    const store = new InMemoryCleanupStore();

    // Act
    const run = runCleanup({}, context({ resume: { phase: 'audit' } }).ctx, store);

    // Assess
    await expect(run).rejects.toThrow(PermanentJobError);
    expect(store.auditLog.pageQueries).toEqual([]);
  });
});
