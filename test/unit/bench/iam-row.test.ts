import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BenchResults, buildRows } from '#bench/figures';

// The stored run, with the IAM pairs' rates set by each test: the row is rendered from figures alone.
const stored = JSON.parse(
  readFileSync(new URL('../../../bench/results.json', import.meta.url), 'utf8'),
) as BenchResults;

function iamRow(onRates: number[], offRates: number[]) {
  const runs = (rates: number[], side: 'on' | 'off') =>
    rates.map((jobsPerSecond, i) => ({ ...stored.iamComparison[side][i]!, jobsPerSecond, lost: 0 }));
  const results = { ...stored, iamComparison: { on: runs(onRates, 'on'), off: runs(offRates, 'off') } };
  return buildRows(results).find((row) => row.figure === 'throughput with IAM enforced')!;
}

describe('bench: the IAM row', () => {
  it('calls a shortfall noise when the pairs spread over it and one of them meets the goal', () => {
    const row = iamRow([350, 320, 300], [370, 380, 350]); // pairs 0.95, 0.84, 0.86: 320 ÷ 370 = 0.865
    expect(row.verdict).toBe('NOT met');
    expect(row.how).toMatch(/spread over 0\.104, so this row's 0\.035 short of the goal is within this run's noise$/);
  });

  it('never calls it noise when every pair is short of the goal, however far they spread', () => {
    const row = iamRow([330, 290, 300], [370, 380, 350]); // pairs 0.89, 0.76, 0.86: 300 ÷ 370 = 0.811
    expect(row.verdict).toBe('NOT met');
    expect(row.how).toMatch(
      /every pair's ratio is short of the goal, so this row's 0\.089 short of it is beyond this run's noise$/,
    );
  });

  it('says nothing of noise when the goal is met', () => {
    const row = iamRow([350, 360, 340], [370, 380, 350]);
    expect(row.verdict).toBe('met');
    expect(row.how).not.toMatch(/noise/);
  });
});
