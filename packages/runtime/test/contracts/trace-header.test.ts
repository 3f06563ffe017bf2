import { describe, expect, it } from 'vitest';
import { formatTraceHeader, parseTraceHeader, traceRoot } from '@serverless-jobs/runtime/contracts';
import { runTrace } from '@serverless-jobs/runtime/runtime';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('Module: trace-header', () => {
  it("reads Lambda's and SQS's header, Lineage included, and writes it back the same", () => {
    const header = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0`;
    expect(parseTraceHeader(header)).toEqual({
      root: ROOT,
      parent: '53995c3f42cd8ad8',
      sampled: '1',
      lineage: 'a87bd80c:0',
    });
    expect(formatTraceHeader(parseTraceHeader(header)!)).toBe(header);
    expect(parseTraceHeader(`Sampled=0; Root=${ROOT}`)).toEqual({ root: ROOT, sampled: '0' });
  });

  it('refuses a header without a valid Root, never throwing', () => {
    for (const value of [
      undefined,
      '',
      'Root=',
      'Root=1-xyz-abc',
      `Parent=53995c3f42cd8ad8`,
      ';;=',
      'Root=2-5759e988-x',
    ])
      expect(parseTraceHeader(value), String(value)).toBeUndefined();
  });

  it('makes a root from the start time in hex seconds and 24 hex digits', () => {
    expect(traceRoot(Date.parse('2016-06-09T22:11:20.999Z'), 'BD862E3FE1BE46A994272793')).toBe(ROOT);
  });
});

describe('Function: runTrace', () => {
  const invocation = 'Root=1-6650f3a2-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=0;Lineage=c0ffee00:3';

  it("continues the message's trace, with the invocation's Lineage", () => {
    expect(runTrace(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`, invocation)).toEqual({
      id: ROOT,
      header: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=c0ffee00:3`,
    });
  });

  it("is the invocation's trace for a message sent without one, and none outside a trace", () => {
    expect(runTrace(undefined, invocation)).toEqual({ id: '1-6650f3a2-aaaaaaaaaaaaaaaaaaaaaaaa', header: invocation });
    expect(runTrace('not a header', invocation)?.id).toBe('1-6650f3a2-aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(runTrace(undefined, undefined)).toBeUndefined();
  });
});
