import { describe, expect, it } from 'vitest';
import { type ReportSettings, runReport } from '#shared/reports/run-report';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext } from '#test/helpers/fake-job-context';
import { InMemoryReportStore } from '#test/unit/report-fake-store';

const settings: ReportSettings = { recipients: ['ops@example.com', 'cfo@example.com'], timeZone: 'Europe/Berlin' };
const context = (overrides: Partial<Parameters<typeof fakeJobContext<ReportSettings>>[0]> = {}) =>
  fakeJobContext({ settings, clock: new FakeClock(Date.parse('2026-03-30T04:00:00.000Z')), ...overrides });

describe('Function: runReport', () => {
  it('adds up orders per currency over the UTC days of a Berlin day, without the neighbouring days', async () => {
    // Prepare: the Berlin day 2026-03-29 is [2026-03-28T23:00Z, 2026-03-29T22:00Z)
    const store = new InMemoryReportStore([
      { processedAt: '2026-03-28T22:59:59.999Z', totalCents: 1, currency: 'EUR' },
      { processedAt: '2026-03-28T23:00:00.000Z', totalCents: 1000, currency: 'EUR' },
      { processedAt: '2026-03-29T12:00:00.000Z', totalCents: 250, currency: 'EUR' },
      { processedAt: '2026-03-29T13:00:00.000Z', totalCents: 700, currency: 'USD' },
      { processedAt: '2026-03-29T14:00:00.000Z' },
      { processedAt: '2026-03-29T22:00:00.000Z', totalCents: 5, currency: 'EUR' },
    ]);

    // Act
    const report = await runReport({ kind: 'daily' }, context().ctx, store, { jobs: [] });

    // Assess
    // The next day too: a time written 14 h ahead, with the local date as its day, could be of this period.
    expect(store.orderDaysQueried).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    expect(report.figures.orders).toEqual({ processed: 4, revenueCents: { EUR: 1250, USD: 700 }, unreadable: 0 });
  });

  it('counts e-mails and runs by status for every job when the ledger has runs in and out of the period', async () => {
    // Prepare
    const inPeriod = '2026-03-29T10:00:00.000Z';
    const store = new InMemoryReportStore(
      [],
      [
        { job: 'send-email', createdAt: inPeriod, status: 'SUCCEEDED' },
        { job: 'send-email', createdAt: inPeriod, status: 'SUCCEEDED' },
        { job: 'send-email', createdAt: inPeriod, status: 'DEAD' },
        { job: 'send-email', createdAt: inPeriod, status: 'FAILED' },
        { job: 'send-email', createdAt: '2026-03-29T22:00:00.000Z', status: 'DEAD' },
        { job: 'cleanup', createdAt: inPeriod, status: 'SUCCEEDED' },
        { job: 'cleanup', createdAt: inPeriod, status: 'RUNNING' },
      ],
    );

    // Act
    const report = await runReport({ kind: 'daily' }, context().ctx, store);

    // Assess
    expect(report.figures.emails).toEqual({ sent: 2, failed: 2 });
    expect(report.figures.runs['send-email']).toEqual({ SUCCEEDED: 2, DEAD: 1, FAILED: 1 });
    expect(report.figures.runs.cleanup).toEqual({ SUCCEEDED: 1, RUNNING: 1 });
    expect(Object.keys(report.figures.runs).sort()).toEqual([
      'bulk-email',
      'cleanup',
      'daily-report',
      'fulfil-order',
      'monthly-report',
      'process-order',
      'schedule-watchdog',
      'send-email',
    ]);
  });

  it('stores the report under its period ID with the period and the creation time', async () => {
    // Prepare
    const store = new InMemoryReportStore();

    // Act
    await runReport({ kind: 'monthly' }, context().ctx, store, { jobs: [] });

    // Assess
    expect(store.saved).toEqual([
      expect.objectContaining({
        reportId: 'monthly/2026-02/Europe/Berlin',
        timeZone: 'Europe/Berlin',
        periodStart: '2026-01-31T23:00:00.000Z',
        periodEnd: '2026-02-28T23:00:00.000Z',
        createdAt: '2026-03-30T04:00:00.000Z',
      }),
    ]);
  });

  it('reports on the period before the occurrence in its zone when run by a schedule', async () => {
    // Prepare: a retry two days late still reports on the day before the occurrence
    const fake = context({
      occurrence: { schedule: 'daily', time: '2026-03-01T06:00:00.000Z', timeZone: 'America/New_York' },
    });

    // Act
    const report = await runReport({ kind: 'daily' }, fake.ctx, new InMemoryReportStore(), { jobs: [] });

    // Assess
    expect(report.reportId).toBe('daily/2026-02-28/America/New_York');
    expect(report.periodStart).toBe('2026-02-28T05:00:00.000Z');
  });

  it('reports on the payload date when one is given', async () => {
    // Act
    const report = await runReport(
      { kind: 'daily', explicit: '2026-01-15' },
      context().ctx,
      new InMemoryReportStore(),
      { jobs: [] },
    );

    // Assess
    expect(report.reportId).toBe('daily/2026-01-15/Europe/Berlin');
  });

  it('e-mails every recipient through send-email with IDs that stay the same when the run is retried', async () => {
    // Prepare
    const first = context();
    const retry = context({ attempt: 2 });
    retry.clock.advance(3_600_000);

    // Act
    await runReport({ kind: 'daily' }, first.ctx, new InMemoryReportStore(), { jobs: [] });
    await runReport({ kind: 'daily' }, retry.ctx, new InMemoryReportStore(), { jobs: [] });

    // Assess
    const ids = ['ops@example.com', 'cfo@example.com'].map((to) => `report/daily/2026-03-29/Europe/Berlin/v1/${to}`);
    expect(first.enqueued.map((entry) => [entry.job, entry.id])).toEqual(ids.map((id) => ['send-email', id]));
    expect(retry.enqueued.map((entry) => entry.id)).toEqual(ids);
    expect(first.enqueued[0]?.payload).toMatchObject({
      to: 'ops@example.com',
      subject: 'Daily report 2026-03-29 (Europe/Berlin)',
    });
  });
});
