import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GOALS } from '#bench/goals';
import type { FigureRow } from '#bench/report';
import { withoutAws } from '#test/helpers/offline-synth';
import { ROOT } from '#test/e2e/local-stack-fixture';

describe('CLI: npm run bench (tiny sizes, every section)', () => {
  it('prints every figure of the performance issue, ours beside the baseline, and writes results.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-bench-smoke-'));
    const out = join(dir, 'results.json');
    try {
      const args = [
        'run',
        'bench',
        '--',
        '--jobs',
        '60',
        '--reps',
        '2',
        '--e2e-jobs',
        '40',
        '--scale-jobs',
        '30,60,90',
        '--batch-jobs',
        '30',
        '--load-runs',
        '1',
        '--synth-runs',
        '1',
        '--out',
        out,
      ];
      const { stdout } = await promisify(execFile)('npm', args, {
        cwd: ROOT,
        env: withoutAws(process.env),
        maxBuffer: 16 * 1024 * 1024,
      });
      const results = JSON.parse(readFileSync(out, 'utf8')) as {
        rows: FigureRow[];
        throughput: {
          lost: number;
          succeeded: number;
          putItemPerSecond: number;
          putItemBursts: number[];
          cpu: { cores: number; msPerJob: { runner: number; sandboxes: number; dynamodb: number } };
        };
        scaling: { jobCounts: { jobs: number; writeUnitsPerJob: number }[] };
        runtimes: { ours: { itemWritesPerJob: number } };
      };
      expect(new Set(results.rows.map((row) => row.section))).toEqual(new Set(['1', '2', '3', '4', '5', '6', '7']));
      const writes = results.rows.find((row) => row.figure === 'DynamoDB write requests per job')!;
      // Ours: a batch's claims in one request and its completions in about two; each job still writes 2 items.
      expect(Number(writes.ours)).toBeLessThan(1);
      expect(writes.baseline).toBe('3.00');
      expect(results.runtimes.ours.itemWritesPerJob).toBe(2);
      const units = results.rows.find((row) => row.figure === 'DynamoDB write units (WCU) per job')!;
      expect([units.ours, units.baseline]).toEqual(['2.00', '4.00']);
      expect(results.throughput).toMatchObject({ lost: 0, succeeded: 40 });
      // The limit: the best of 3 bursts of conditional PutItem on the same DynamoDB Local.
      expect(results.throughput.putItemBursts).toHaveLength(3);
      expect(results.throughput.putItemPerSecond).toBe(Math.max(...results.throughput.putItemBursts));
      // The measured reason beside the end-to-end figure: the run's CPU per job, by process, and what it allows.
      const { msPerJob } = results.throughput.cpu;
      expect(msPerJob.runner).toBeGreaterThan(0);
      expect(msPerJob.sandboxes).toBeGreaterThan(0);
      const e2e = results.rows.find((row) => row.figure === 'local end-to-end throughput')!;
      expect(e2e.ratio).toMatch(/of limit; CPU allows \d/);
      expect(e2e.how).toMatch(/CPU per job, from \/proc.*at most \d+ jobs\/s/);
      // The IAM row's: the best ratio the measured CPU per job allows, and whether that is short of the goal.
      const iam = results.rows.find((row) => row.figure === 'throughput with IAM enforced')!;
      const best = Number(/CPU-bound, the ratio can reach at most (\d\.\d\d)/.exec(iam.how)?.[1]);
      expect(best).toBeGreaterThan(0);
      expect(iam.how.includes('below the goal of 0.9: out of reach on this machine')).toBe(best < 0.9);
      // Judged as printed, to three places, as the wall-time and load rows.
      expect(iam.ratio).toMatch(/^\d\.\d{3} of off$/);
      expect(iam.verdict).toBe(Number.parseFloat(iam.ratio) >= GOALS.iamThroughputRatio ? 'met' : 'NOT met');
      // Each pair's ratio, and for a row short of the goal, how far short it is against their spread.
      expect(iam.how).toMatch(/the pairs' ratios \d\.\d\d, \d\.\d\d, \d\.\d\d;/);
      expect(/(within|beyond) this run's noise$/.test(iam.how)).toBe(iam.verdict === 'NOT met');
      // Within the noise only if some pair, as printed, meets the goal.
      const pairRatios = /the pairs' ratios ([\d., ]+);/.exec(iam.how)![1]!.split(', ').map(Number);
      if (iam.how.endsWith("within this run's noise"))
        expect(pairRatios.some((ratio) => ratio >= GOALS.iamThroughputRatio)).toBe(true);
      // Read off one growing ledger: after the first repetition, after both, and 30 jobs past the comparison.
      expect(results.scaling.jobCounts).toEqual(
        [30, 60, 90].map((jobs) => expect.objectContaining({ jobs, writeUnitsPerJob: 2 })),
      );
      // One bundle row and one load row per bundle of the app (a durable job's two functions share one).
      const bundles = results.rows.filter((row) => row.figure.startsWith('bundle '));
      expect(bundles).toHaveLength(8);
      // A bundle over the goal says how much of it the required libraries take.
      for (const bundle of bundles.filter((row) => row.verdict === 'NOT met'))
        expect(bundle.how).toMatch(/Powertools Logger and Metrics and zod\/mini take \d/);
      // A load time over the goal says what its reference takes by itself, and what is left for our code.
      const loads = results.rows.filter((row) => row.figure.startsWith('load '));
      // The verdict agrees with the ratio as printed: never "1.15× floor … NOT met" against a goal of 1.15.
      for (const load of loads) {
        expect(load.ratio).toMatch(/^\d\.\d{3}× floor$/);
        expect(load.verdict).toBe(Number.parseFloat(load.ratio) <= GOALS.loadOverFloor ? 'met' : 'NOT met');
      }
      for (const load of loads.filter((row) => row.verdict === 'NOT met')) {
        expect(load.how).toMatch(/loads at \d\.\d\d× the floor by itself/);
        expect(load.how).toMatch(/framework's own code .* take the other -?\d\.\d\d×/);
        expect(load.how).toMatch(/(within|beyond) this run's noise$/);
      }
      // The control: the floor against itself, whose distance from 1 is the run's noise.
      expect(results.rows.find((row) => row.figure === 'floor against itself (control)')?.ratio).toMatch(
        /^\d\.\d{3}× floor$/,
      );
      // The reference of the jobs that load the SQS client at init: those that enqueue another job.
      const enqueuing = results.rows.find((row) => row.figure === 'floor + libraries + SQS client')!;
      expect(enqueuing.how).toMatch(
        /the reference for bulk-email, process-order, fulfil-order, daily-report, monthly-report$/,
      );
      expect(stdout).toMatch(/serverless-jobs\s+Powertools baseline\s+ratio\s+goal\s+verdict/);
      expect(stdout).toContain('How each figure was measured');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
