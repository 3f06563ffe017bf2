import { describe, expect, it } from 'vitest';
import { newTraceHeader, toSqsEvent } from '@serverless-jobs/local/runner';
import { parseTraceHeader } from '@serverless-jobs/runtime/contracts';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:jobs';
const SENT = Date.parse('2026-11-24T08:00:00Z');
const message = (id: string, attributes: Record<string, string> = {}) => ({
  MessageId: id,
  ReceiptHandle: `r-${id}`,
  Body: '{}',
  Attributes: { SentTimestamp: String(SENT), ...attributes },
});

describe('Function: toSqsEvent (trace headers)', () => {
  it("gives a record its sender's AWSTraceHeader as it is", () => {
    const sender = 'Root=1-6650f3a2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';
    const [record] = toSqsEvent([message('m-1', { AWSTraceHeader: sender })], ARN).Records;
    expect(record!.attributes.AWSTraceHeader).toBe(sender);
  });

  it('gives a message sent without one a trace of its own, begun when it was sent, the same on every delivery', () => {
    const first = toSqsEvent([message('m-2'), message('m-3')], ARN).Records;
    const again = toSqsEvent([message('m-2')], ARN).Records;
    const header = parseTraceHeader(first[0]!.attributes.AWSTraceHeader);
    expect(header?.root).toMatch(/^1-6b054400-[0-9a-f]{24}$/);
    expect(again[0]!.attributes.AWSTraceHeader).toBe(first[0]!.attributes.AWSTraceHeader);
    expect(parseTraceHeader(first[1]!.attributes.AWSTraceHeader)?.root).not.toBe(header?.root);
  });
});

describe('Function: newTraceHeader', () => {
  it("starts a new, unsampled trace at each call, as Lambda's invocations each have one", () => {
    const [a, b] = [parseTraceHeader(newTraceHeader(SENT)), parseTraceHeader(newTraceHeader(SENT))];
    expect(a).toMatchObject({ root: expect.stringMatching(/^1-6b054400-/), sampled: '0' });
    expect(a?.parent).toMatch(/^[0-9a-f]{16}$/);
    expect(b?.root).not.toBe(a?.root);
  });
});
