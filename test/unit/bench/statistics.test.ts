import { describe, expect, it } from 'vitest';
import { fasterHalfMean, median } from '#bench/statistics';

describe('bench/statistics', () => {
  it('takes the mean of the faster half, the middle value included for an odd count', () => {
    expect(fasterHalfMean([150, 140, 210, 145, 190])).toBe((140 + 145 + 150) / 3);
    expect(fasterHalfMean([150, 140, 210, 145])).toBe((140 + 145) / 2);
    expect(fasterHalfMean([7])).toBe(7);
  });

  it('is not moved by how slow the slow half is, where the median of an even count is', () => {
    const fast = [100, 101, 102];
    expect(fasterHalfMean([...fast, 103, 104, 105])).toBe(fasterHalfMean([...fast, 190, 200, 210]));
    expect(median([...fast, 190, 200, 210])).not.toBe(median([...fast, 103, 104, 105]));
  });

  it('is NaN for no values, as the median is', () => {
    expect(fasterHalfMean([])).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
