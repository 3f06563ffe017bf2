import { describe, expect, it } from 'vitest';
import { fairOrder } from '@serverless-jobs/local/runner';

const groupOf = (message: string) => message.split('/')[0]!;
const order = (ready: string[], inFlight: Record<string, number> = {}) =>
  fairOrder(ready, groupOf, new Map(Object.entries(inFlight)));

describe('Function: fairOrder (how the local SQS hands out a fair queue)', () => {
  it('keeps the queue order with one group', () => {
    expect(order(['a/1', 'a/2', 'a/3'], { a: 5 })).toEqual(['a/1', 'a/2', 'a/3']);
  });

  it('takes the groups in turn, each in its own order', () => {
    expect(order(['a/1', 'a/2', 'a/3', 'b/1', 'b/2', 'c/1'])).toEqual(['a/1', 'b/1', 'c/1', 'a/2', 'b/2', 'a/3']);
  });

  it('puts a group with nothing in flight ahead of one busy with many, however far back it is', () => {
    const flood = Array.from({ length: 1000 }, (_, n) => `a/${n}`);
    expect(order([...flood, 'b/1'], { a: 20 }).slice(0, 2)).toEqual(['b/1', 'a/0']);
  });

  it('weighs by what each group has in flight', () => {
    expect(order(['a/1', 'a/2', 'b/1', 'b/2'], { a: 1 })).toEqual(['b/1', 'a/1', 'b/2', 'a/2']);
  });
});
