import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCloudAssembly } from '#infra/local/cloud-assembly';
import { functionEnvironment } from '#infra/local/function-environment';
import { buildLocalModel } from '#infra/local/local-model';
import { median } from '../statistics';

export interface BundleFigures {
  readonly job: string;
  /** The entry file Lambda loads at init. */
  readonly entryBytes: number;
  readonly entryGzipBytes: number;
  /** Every JavaScript file of the asset, lazily loaded chunks included. */
  readonly totalBytes: number;
  readonly loadMs: number;
  /** loadMs divided by the empty module's, measured in the same rounds. */
  readonly loadRatio: number;
}

export interface ColdStartFigures {
  readonly runs: number;
  readonly emptyModuleMs: number;
  readonly bundles: BundleFigures[];
}

const DUMMY_ENDPOINTS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Milliseconds for a fresh `node` to start, import `file` and exit. */
function loadOnce(file: string, env: NodeJS.ProcessEnv): number {
  const began = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(file)})`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - began;
  if (result.status !== 0) throw new Error(`${file} did not load: ${result.stderr.toString().slice(0, 500)}`);
  return ms;
}

/**
 * The cold-start proxy of every function in the assembly: bundle sizes, and the median time over `runs`
 * fresh processes to load the bundle with its template environment, against an empty module loaded in
 * the same rounds (round-robin, so drift of the machine hits all alike).
 */
export function measureColdStart(cdkOut: string, runs: number): ColdStartFigures {
  const model = buildLocalModel(readCloudAssembly(cdkOut), { sqs: 'http://127.0.0.1:9' });
  const scratch = mkdtempSync(join(tmpdir(), 'sj-bench-empty-'));
  const empty = join(scratch, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  try {
    const functions = model.functions.map((fn) => {
      const files = readdirSync(fn.bundleDir).filter((name) => /\.(mjs|cjs|js)$/.test(name));
      const entryName = files.find((name) => name.startsWith(`${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.`)) ?? files[0]!;
      const entry = join(fn.bundleDir, entryName);
      const source = readFileSync(entry);
      return {
        job: fn.label,
        entry,
        env: functionEnvironment(fn, DUMMY_ENDPOINTS),
        entryBytes: source.length,
        entryGzipBytes: gzipSync(source).length,
        totalBytes: files.reduce((sum, name) => sum + readFileSync(join(fn.bundleDir, name)).length, 0),
        times: [] as number[],
      };
    });
    const emptyTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      emptyTimes.push(loadOnce(empty, { PATH: process.env.PATH }));
      for (const fn of functions) fn.times.push(loadOnce(fn.entry, fn.env));
    }
    const emptyModuleMs = median(emptyTimes);
    return {
      runs,
      emptyModuleMs,
      bundles: functions.map(({ job, entryBytes, entryGzipBytes, totalBytes, times }) => ({
        job, entryBytes, entryGzipBytes, totalBytes, loadMs: median(times), loadRatio: median(times) / emptyModuleMs,
      })),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
