import { describe, expect, it } from 'vitest';
import { orderReadsOf, parseOrderTime } from '#shared/reports/order-time';
import { type ReportSettings, runReport } from '#shared/reports/run-report';
import { FakeClock } from '#test/helpers/fake-clock';
import { fakeJobContext } from '#test/helpers/fake-job-context';
import { InMemoryReportStore } from '#test/unit/report-fake-store';

const settings: ReportSettings = { recipients: ['ops@example.com'], timeZone: 'UTC' };
const context = () => fakeJobContext({ settings, clock: new FakeClock(Date.parse('2026-12-01T06:00:00.000Z')) });

describe('Function: parseOrderTime', () => {
  it.each([
    ['2026-11-30T23:59:59Z', '2026-11-30T23:59:59.000Z'],
    ['2026-11-30T23:59:59.999Z', '2026-11-30T23:59:59.999Z'],
    ['2026-11-30T23:59:59.9999999Z', '2026-11-30T23:59:59.999Z'],
    ['2026-11-30T23:59:59,5z', '2026-11-30T23:59:59.500Z'],
    ['2026-11-30T23:59Z', '2026-11-30T23:59:00.000Z'],
    ['2026-12-01T01:59:59+02:00', '2026-11-30T23:59:59.000Z'],
    ['2026-12-01T01:59:59.5+0200', '2026-11-30T23:59:59.500Z'],
    ['2026-11-30T18:59:59-05', '2026-11-30T23:59:59.000Z'],
    ['2026-12-01T13:59:59+14:00', '2026-11-30T23:59:59.000Z'],
    ['2026-11-30T11:59:59-12:00', '2026-11-30T23:59:59.000Z'],
    ['2024-02-29T00:00:00-00:00', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as the instant %s', (text, instant) => {
    // Act
    const result = parseOrderTime(text);

    // Assess
    expect(result?.toISOString()).toBe(instant);
  });

  it.each([
    ['a time without a zone', '2026-11-30T23:59:59'],
    ['a space for the T', '2026-11-30 23:59:59Z'],
    ['a date alone', '2026-11-30'],
    ['another notation', '30.11.2026 23:59'],
    ['a day the month lacks', '2026-02-30T12:00:00Z'],
    ['hour 24', '2026-11-30T24:00:00Z'],
    ['minute 60', '2026-11-30T23:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['an offset beyond 14 h', '2026-11-30T23:59:59+14:30'],
    ['offset minutes past 59', '2026-11-30T23:59:59+01:60'],
    ['the empty string', ''],
  ])('refuses %s (%j)', (_, text) => {
    // Act
    const result = parseOrderTime(text);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('Function: orderReadsOf', () => {
  it('reads the UTC day whole and the hours within 14 h of it on the days either side', () => {
    // Act
    const reads = orderReadsOf({
      start: new Date('2026-11-30T00:00:00.000Z'),
      end: new Date('2026-12-01T00:00:00.000Z'),
    });

    // Assess
    const range = { from: '2026-11-29T10', to: '2026-12-01T15' };
    expect(reads).toEqual([
      { processedDay: '2026-11-29', range, own: false },
      { processedDay: '2026-11-30', own: true },
      { processedDay: '2026-12-01', range, own: false },
    ]);
  });
});

describe('Function: runReport over order times in every form', () => {
  it('counts each order whose instant is in the UTC day, whatever its form, and no other', async () => {
    // Prepare: the UTC day 2026-11-30; `processedDay` is the date as written unless given
    const store = new InMemoryReportStore([
      { processedAt: '2026-11-29T23:59:59.999Z', totalCents: 1, currency: 'EUR' },
      { processedAt: '2026-11-30T00:00:00Z', totalCents: 10, currency: 'EUR' },
      { processedAt: '2026-11-30T23:59:59Z', totalCents: 100, currency: 'EUR' },
      { processedAt: '2026-11-30T23:59:59.999Z', totalCents: 1_000, currency: 'EUR' },
      { processedAt: '2026-12-01T01:30:00+02:00', totalCents: 10_000, currency: 'EUR' },
      { processedAt: '2026-12-01T01:30:00+02:00', processedDay: '2026-11-30', totalCents: 20_000, currency: 'EUR' },
      { processedAt: '2026-11-29T23:00:00-01:00', totalCents: 40_000, currency: 'EUR' },
      { processedAt: '2026-11-30T01:30:00+02:00', totalCents: 2, currency: 'EUR' },
      { processedAt: '2026-12-01T00:00:00Z', totalCents: 3, currency: 'EUR' },
      { processedAt: '2026-12-01T00:00:00.000Z', totalCents: 4, currency: 'EUR' },
    ]);

    // Act
    const report = await runReport({ kind: 'daily' }, context().ctx, store, { jobs: [] });

    // Assess
    expect(report.figures.orders).toEqual({ processed: 6, revenueCents: { EUR: 71_110 }, unreadable: 0 });
  });

  it('counts an unreadable time apart and logs its order ID when its day is the period own', async () => {
    // Prepare
    const store = new InMemoryReportStore([
      { orderId: 'fine', processedAt: '2026-11-30T12:00:00Z', totalCents: 500, currency: 'EUR' },
      { orderId: 'no-zone', processedAt: '2026-11-30T12:00:00', totalCents: 700, currency: 'EUR' },
      { orderId: 'other-form', processedAt: '30.11.2026 12:00', processedDay: '2026-11-30', totalCents: 900 },
      { orderId: 'next-days', processedAt: '2026-12-01T08:00:00', totalCents: 1, currency: 'EUR' },
    ]);
    const fake = context();

    // Act
    const report = await runReport({ kind: 'daily' }, fake.ctx, store, { jobs: [] });

    // Assess
    expect(report.figures.orders).toEqual({ processed: 1, revenueCents: { EUR: 500 }, unreadable: 2 });
    const warnings = fake.logs.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.extra[0])).toEqual([
      {
        reportId: 'daily/2026-11-30/UTC',
        orderId: 'no-zone',
        processedDay: '2026-11-30',
        processedAt: '2026-11-30T12:00:00',
      },
      {
        reportId: 'daily/2026-11-30/UTC',
        orderId: 'other-form',
        processedDay: '2026-11-30',
        processedAt: '30.11.2026 12:00',
      },
    ]);
    expect(fake.enqueued[0]?.payload).toMatchObject({
      text: expect.stringContaining('Orders with an unreadable time: 2, in no figure (see the log)'),
    });
  });
});
