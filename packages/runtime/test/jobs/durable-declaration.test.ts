import { describe, expect, it } from 'vitest';
import { defineCallback, defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const base = { name: 'fulfil', description: 'demo', payload: z.object({}) };

describe('Declaration: durable', () => {
  it('resolves the execution timeout to seconds and keeps 14 days of history by default', () => {
    expect(defineJob({ ...base, durable: { executionTimeout: '2d' } }).durable).toEqual({
      executionTimeoutSeconds: 172_800,
      retentionDays: 14,
      callbacks: [],
    });
    expect(defineJob(base).durable).toBeUndefined();
  });

  it('refuses a timeout that is no duration or above 366 days, and a retention outside 1 to 90 days', () => {
    expect(() => defineJob({ ...base, durable: { executionTimeout: 'soon' } })).toThrow(
      'fulfil: durable.executionTimeout must be a duration such as 36h or 2d (given "soon")',
    );
    expect(() => defineJob({ ...base, ledgerRetentionDays: 400, durable: { executionTimeout: '367d' } })).toThrow(
      'durable.executionTimeout in seconds must be between 1 and 31622400 inclusive (given 31708800)',
    );
    expect(() => defineJob({ ...base, durable: { executionTimeout: '1d', retentionDays: 91 } })).toThrow(
      'fulfil: durable.retentionDays must be between 1 and 90 inclusive (given 91)',
    );
  });

  it('needs a ledger retention that outlives the execution', () => {
    expect(() => defineJob({ ...base, durable: { executionTimeout: '30d' } })).toThrow(
      'fulfil: ledgerRetentionDays must exceed queue + DLQ retention + redrive window + the execution timeout = ' +
        '55 days, or the run record could expire before its execution ends (given 45)',
    );
  });

  it('keeps the callbacks it declares, and refuses one named twice, empty or "sj:…"', () => {
    const payment = defineCallback('payment', z.object({ paymentId: z.string() }));
    expect(
      defineJob({ ...base, durable: { executionTimeout: '1d', callbacks: [payment] } }).durable?.callbacks,
    ).toEqual([payment]);
    const refused =
      (...names: string[]) =>
      () =>
        defineJob({
          ...base,
          durable: { executionTimeout: '1d', callbacks: names.map((name) => defineCallback(name, z.object({}))) },
        });
    expect(refused('payment', 'payment')).toThrow('fulfil: durable.callbacks names "payment" twice');
    expect(refused('')).toThrow(
      `fulfil: a callback's name must be a non-empty string not starting with "sj:" (given "")`,
    );
    expect(refused('sj:x')).toThrow('(given "sj:x")');
  });
});
