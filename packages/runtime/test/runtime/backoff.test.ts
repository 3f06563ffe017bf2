import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '@serverless-jobs/runtime/runtime';

describe('Function: backoffSeconds', () => {
  const exponential = { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 300, jitter: 0 } as const;

  it('doubles the delay with each attempt when the backoff is exponential', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffSeconds(exponential, attempt))).toEqual([10, 20, 40, 80, 160]);
  });

  it('caps the delay at maxDelaySeconds', () => {
    expect(backoffSeconds(exponential, 10)).toBe(300);
  });

  it('never exceeds the 12 h SQS visibility limit, whatever the policy says', () => {
    expect(backoffSeconds({ type: 'fixed', delaySeconds: 100_000, maxDelaySeconds: 100_000, jitter: 0 }, 1)).toBe(
      43_200,
    );
  });

  it('keeps the delay constant when the backoff is fixed', () => {
    expect([1, 5, 9].map((attempt) => backoffSeconds({ type: 'fixed', delaySeconds: 30, jitter: 0 }, attempt))).toEqual(
      [30, 30, 30],
    );
  });

  it('takes off at most the jitter fraction, as the injected random number says', () => {
    const policy = { ...exponential, jitter: 0.5 };
    expect(backoffSeconds(policy, 1, () => 0)).toBe(10);
    expect(backoffSeconds(policy, 1, () => 0.5)).toBe(8);
    expect(backoffSeconds(policy, 1, () => 0.999)).toBe(5);
  });
});
