import { describe, expect, it } from 'vitest';
import { defaultLanes } from '@serverless-jobs/local/runner';

describe('Function: defaultLanes', () => {
  it('is two lanes per core, and never fewer than two (the lowest maximum concurrency Lambda allows)', () => {
    expect(defaultLanes(1)).toBe(2);
    expect(defaultLanes(2)).toBe(4);
    expect(defaultLanes(8)).toBe(16);
  });
});
