import { describe, expect, it } from 'vitest';
import { chunk, chunkByWeight } from '@serverless-jobs/runtime/runtime';

describe('Function: chunkByWeight', () => {
  it('closes a group at the count limit or before the weight limit would be passed', () => {
    expect(chunkByWeight([5, 5, 5, 5], 3, 100, (n) => n)).toEqual([[5, 5, 5], [5]]);
    expect(chunkByWeight([60, 50, 40, 10], 10, 100, (n) => n)).toEqual([[60], [50, 40, 10]]);
  });

  it('gives an item heavier than the limit a group of its own', () => {
    expect(chunkByWeight([10, 300, 10], 10, 100, (n) => n)).toEqual([[10], [300], [10]]);
  });

  it('splits by count alone', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 10)).toEqual([]);
  });
});
