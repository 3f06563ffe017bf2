import { describe, expect, it } from 'vitest';
import { type ReportSettings, runReport } from '#shared/reports/run-report';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext } from '#test/helpers/fake-job-context';
import { type FakeOrder, InMemoryReportStore } from '#test/unit/report-fake-store';

const settings: ReportSettings = { recipients: ['ops@example.com', 'cfo@example.com'], timeZone: 'UTC' };
const context = (overrides: Partial<ReportSettings> = {}, clock = new FakeClock(Date.parse('2026-12-04T06:00:00Z'))) =>
  fakeJobContext({ settings: { ...settings, ...overrides }, clock });
const day = { kind: 'daily', explicit: '2026-12-03' } as const;
const order = (processedAt: string): FakeOrder => ({ processedAt, totalCents: 100, currency: 'EUR' });
const mails = (fake: ReturnType<typeof context>) =>
  fake.enqueued.map((entry) => ({ id: entry.id, ...(entry.payload as { subject: string; text: string }) }));

describe('Function: runReport when run again for the same period', () => {
  it('stores and mails a new version, marked as a correction, when the figures have changed', async () => {
    // Prepare: an order arrives after the first run
    const orders: FakeOrder[] = [order('2026-12-03T10:00:00.000Z')];
    const store = new InMemoryReportStore(orders);
    const first = context();
    await runReport(day, first.ctx, store, { jobs: [] });
    orders.push(order('2026-12-03T11:00:00Z'));
    const rerun = context({}, new FakeClock(Date.parse('2026-12-04T07:00:00Z')));

    // Act
    await runReport(day, rerun.ctx, store, { jobs: [] });

    // Assess
    expect(store.reports.get('daily/2026-12-03/UTC')).toMatchObject({
      version: 2,
      mailedVersion: 2,
      createdAt: '2026-12-04T07:00:00.000Z',
      figures: { orders: { processed: 2 } },
    });
    expect(mails(first).map((mail) => mail.id)).toEqual([
      'report/daily/2026-12-03/UTC/v1/ops@example.com',
      'report/daily/2026-12-03/UTC/v1/cfo@example.com',
    ]);
    const [corrected] = mails(rerun);
    expect(mails(rerun)).toHaveLength(2);
    expect(corrected).toMatchObject({
      id: 'report/daily/2026-12-03/UTC/v2/ops@example.com',
      subject: 'Correction: Daily report 2026-12-03 (UTC)',
    });
    expect(corrected?.text).toContain('Orders processed: 2');
    expect(corrected?.text).toContain('Stored as: daily/2026-12-03/UTC, version 2 of 2026-12-04T07:00:00.000Z');
  });

  it('neither stores nor mails again when the figures are the same', async () => {
    // Prepare
    const store = new InMemoryReportStore([order('2026-12-03T10:00:00.000Z')]);
    await runReport(day, context().ctx, store, { jobs: [] });
    const rerun = context();

    // Act
    const report = await runReport(day, rerun.ctx, store, { jobs: [] });

    // Assess
    expect(rerun.enqueued).toEqual([]);
    expect(store.saved).toHaveLength(1);
    expect(report).toMatchObject({ version: 1, mailedVersion: 1 });
  });

  it('mails the stored correction when a retry follows an attempt that failed to enqueue it', async () => {
    // Prepare: the first attempt of the rerun stores version 2, then cannot reach the queue
    const orders: FakeOrder[] = [order('2026-12-03T10:00:00.000Z')];
    const store = new InMemoryReportStore(orders);
    await runReport(day, context().ctx, store, { jobs: [] });
    orders.push(order('2026-12-03T11:00:00.000Z'));
    const failing = context();
    const unreachable = async (): Promise<void> => {
      throw new Error('queue unreachable');
    };
    await expect(runReport(day, { ...failing.ctx, enqueue: unreachable }, store, { jobs: [] })).rejects.toThrow();
    const retry = context();

    // Act
    await runReport(day, retry.ctx, store, { jobs: [] });

    // Assess
    expect(store.saved.map((saved) => saved.version)).toEqual([1, 2]);
    expect(mails(retry)).toEqual([
      expect.objectContaining({ id: 'report/daily/2026-12-03/UTC/v2/ops@example.com', subject: expect.any(String) }),
      expect.objectContaining({ id: 'report/daily/2026-12-03/UTC/v2/cfo@example.com' }),
    ]);
    expect(mails(retry)[0]?.subject).toBe('Correction: Daily report 2026-12-03 (UTC)');
  });

  it('mails the first version again after a correction when a rerun finds the first figures again', async () => {
    // Prepare: an order counted, then withdrawn
    const orders: FakeOrder[] = [order('2026-12-03T10:00:00.000Z')];
    const store = new InMemoryReportStore(orders);
    await runReport(day, context().ctx, store, { jobs: [] });
    orders.push(order('2026-12-03T11:00:00.000Z'));
    await runReport(day, context().ctx, store, { jobs: [] });
    orders.pop();
    const rerun = context();

    // Act
    await runReport(day, rerun.ctx, store, { jobs: [] });

    // Assess
    expect(store.reports.get('daily/2026-12-03/UTC')).toMatchObject({
      version: 3,
      figures: { orders: { processed: 1 } },
    });
    expect(mails(rerun)[0]).toMatchObject({ id: 'report/daily/2026-12-03/UTC/v3/ops@example.com' });
    expect(mails(rerun)[0]?.text).toContain('Orders processed: 1');
  });
});

describe('Function: runReport for the same date in two zones', () => {
  it('stores one report per zone, each with its own period, when UTC and Berlin report 2026-12-03', async () => {
    // Prepare: 23:30 UTC on 3 December is already 4 December in Berlin
    const store = new InMemoryReportStore([order('2026-12-03T10:00:00.000Z'), order('2026-12-03T23:30:00.000Z')]);
    const utc = context();
    const berlin = context({ timeZone: 'Europe/Berlin' });

    // Act
    await runReport(day, utc.ctx, store, { jobs: [] });
    await runReport(day, berlin.ctx, store, { jobs: [] });

    // Assess
    expect([...store.reports.values()]).toEqual([
      expect.objectContaining({
        reportId: 'daily/2026-12-03/UTC',
        periodStart: '2026-12-03T00:00:00.000Z',
        figures: expect.objectContaining({ orders: { processed: 2, revenueCents: { EUR: 200 }, unreadable: 0 } }),
      }),
      expect.objectContaining({
        reportId: 'daily/2026-12-03/Europe/Berlin',
        periodStart: '2026-12-02T23:00:00.000Z',
        figures: expect.objectContaining({ orders: { processed: 1, revenueCents: { EUR: 100 }, unreadable: 0 } }),
      }),
    ]);
    expect(berlin.enqueued[0]?.id).toBe('report/daily/2026-12-03/Europe/Berlin/v1/ops@example.com');
  });
});
