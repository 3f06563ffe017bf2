import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../statistics';

export interface SynthFigures {
  readonly seconds: number[];
  readonly medianSeconds: number;
  /** The last synth's cloud assembly, kept for the bundle and throughput sections. */
  readonly outdir: string;
}

/**
 * `npx cdk synth --quiet` of the whole app, `runs` times, as a user runs it: every function bundled by
 * esbuild, the safety Aspect and both cdk-nag packs. Offline, with CDK's version check off.
 */
export function measureSynth(root: string, runs: number): SynthFigures {
  const seconds: number[] = [];
  let outdir = '';
  for (let run = 0; run < runs; run++) {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    outdir = mkdtempSync(join(tmpdir(), 'sj-bench-synth-'));
    const began = performance.now();
    try {
      execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
        timeout: 300_000,
      });
    } catch (error) {
      rmSync(outdir, { recursive: true, force: true });
      throw error;
    }
    seconds.push((performance.now() - began) / 1000);
  }
  return { seconds, medianSeconds: median(seconds), outdir };
}
