import { describe, expect, it } from 'vitest';
import { parseMessage } from '@serverless-jobs/runtime/contracts';

const record = (body: string, attributes: Record<string, string> = {}) => ({
  messageId: 'm-1',
  body,
  sentTimestamp: '1764000000000',
  attributes,
});

describe('Function: parseMessage', () => {
  it('reads an envelope: ID, payload and enqueue time', () => {
    const result = parseMessage(
      record(
        JSON.stringify({
          id: 'o-1',
          job: 'process-order',
          payload: { orderId: 'o-1' },
          enqueuedAt: '2026-11-24T08:00:00Z',
        }),
      ),
      'process-order',
    );
    expect(result).toEqual({
      ok: true,
      message: expect.objectContaining({
        jobId: 'o-1',
        payload: { orderId: 'o-1' },
        enqueuedAt: Date.parse('2026-11-24T08:00:00Z'),
      }),
    });
  });

  it('takes a body that is not an envelope whole as the payload, keyed by the message ID', () => {
    const result = parseMessage(
      record(JSON.stringify({ orderId: 'o-2', payload: 'not an envelope key set', extra: 1 })),
      'process-order',
    );
    expect(result).toMatchObject({
      ok: true,
      message: { jobId: 'm-1', payload: { orderId: 'o-2', payload: 'not an envelope key set', extra: 1 } },
    });
  });

  it('uses the jobId message attribute for a raw body when there is one', () => {
    expect(parseMessage(record('{"orderId":"o-3"}', { jobId: 'business-key' }), 'process-order')).toMatchObject({
      ok: true,
      message: { jobId: 'business-key' },
    });
  });

  it('derives <schedule>@<occurrence> as the job ID of a scheduled occurrence', () => {
    const body = JSON.stringify({
      job: 'cleanup',
      schedule: 'daily',
      occurrence: '2026-11-24T02:00:00Z',
      timeZone: 'Europe/Berlin',
      payload: {},
    });
    expect(parseMessage(record(body), 'cleanup')).toMatchObject({
      ok: true,
      message: {
        jobId: 'daily@2026-11-24T02:00:00Z',
        occurrence: { schedule: 'daily', time: '2026-11-24T02:00:00Z', timeZone: 'Europe/Berlin' },
      },
    });
  });

  it('refuses a message meant for another job, naming both', () => {
    expect(parseMessage(record(JSON.stringify({ job: 'cleanup', payload: {} })), 'send-email')).toEqual({
      ok: false,
      jobId: 'm-1',
      reason: 'field "job": this is the queue of "send-email" (given "cleanup")',
    });
  });

  it('refuses a body that is not JSON, quoting its start', () => {
    expect(parseMessage(record('<xml/>'), 'send-email')).toEqual({
      ok: false,
      jobId: 'm-1',
      reason: 'body is not JSON (given "<xml/>")',
    });
  });

  it('refuses an ID with control characters', () => {
    expect(parseMessage(record(JSON.stringify({ id: 'a\nb', payload: {} })), 'send-email')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('field "id"'),
    });
  });

  it('reads the DEAD fence of a redriven copy', () => {
    expect(parseMessage(record('{"payload":{}}', { 'sj-dead-fence': '4' }), 'send-email')).toMatchObject({
      ok: true,
      message: { redriveOfFence: 4 },
    });
  });
});
