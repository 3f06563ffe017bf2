import { describe, expect, it } from 'vitest';
import { continuationId } from '@serverless-jobs/runtime/runtime';

describe('Function: continuationId', () => {
  it('numbers continuations from the root job ID, deterministically', () => {
    expect(continuationId('daily@2026-11-24T02:00:00Z')).toBe('daily@2026-11-24T02:00:00Z~1');
    expect(continuationId('daily@2026-11-24T02:00:00Z~1')).toBe('daily@2026-11-24T02:00:00Z~2');
    expect(continuationId('x~9')).toBe('x~10');
  });
});
