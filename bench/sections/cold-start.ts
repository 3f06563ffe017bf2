import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readCloudAssembly } from '@serverless-jobs/local/runner';
import { functionEnvironment } from '@serverless-jobs/local/runner';
import { buildLocalModel } from '@serverless-jobs/local/runner';
import { BUNDLE_ENTRY, FunctionBundle } from '@serverless-jobs/cdk/constructs';
import { loadsQueueAtInit } from '@serverless-jobs/runtime/runtime';
import { appJobs } from '#shared/jobs/registry';
import { fasterHalfMean } from '../statistics';

export interface BundleFigures {
  readonly job: string;
  /** What Lambda loads at init: the entry file and the chunks it imports statically, minified. */
  readonly entryBytes: number;
  readonly entryGzipBytes: number;
  readonly initFiles: number;
  /** Every JavaScript file of the asset, lazily loaded chunks included. */
  readonly totalBytes: number;
  readonly loadMs: number;
  /** loadMs divided by the empty module's, measured in the same rounds. */
  readonly loadRatio: number;
  /** It starts loading the SQS client at init, as a job that enqueues another does (`loadsQueueAtInit`). */
  readonly loadsQueueAtInit?: boolean;
}

export interface ColdStartFigures {
  readonly runs: number;
  readonly emptyModuleMs: number;
  readonly bundles: BundleFigures[];
  /** bench/reference/sdk-clients.ts bundled like a function: the DynamoDB and SES clients and nothing else. */
  readonly sdkFloor: BundleFigures;
  /** bench/reference/required-libraries.ts: the floor plus Powertools Logger and Metrics and zod/mini. */
  readonly librariesFloor?: BundleFigures;
  /** bench/reference/enqueuing-libraries.ts: the libraries floor plus the SQS client, loaded at init. */
  readonly enqueuingFloor?: BundleFigures;
  /**
   * The floor once more, first in each round where the floor is last: the control. Its load time over the floor's
   * is what this run's noise alone makes of a ratio that is 1.
   */
  readonly floorControl?: BundleFigures;
}

/** Fresh processes per bundle: with 25 the medians of one run move less than with the 15 there were. */
export const DEFAULT_LOAD_RUNS = 25;

const SDK_FLOOR_ENTRY = fileURLToPath(new URL('../reference/sdk-clients.ts', import.meta.url));
const LIBRARIES_ENTRY = fileURLToPath(new URL('../reference/required-libraries.ts', import.meta.url));
const ENQUEUING_ENTRY = fileURLToPath(new URL('../reference/enqueuing-libraries.ts', import.meta.url));

const DUMMY_ENDPOINTS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * A static `import … from "./x.mjs"` or `import "./x.mjs"` in esbuild's minified output; `import("…")`
 * is not one.
 */
const STATIC_IMPORT = /(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]*?from\s*)?["'](\.{1,2}\/[^"']+)["']/g;

/** The entry file and every chunk reachable from it by static imports: what a cold start reads and compiles. */
export function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT))
      pending.push(resolve(dirname(file), match[1]!));
  }
  return [...seen];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name))
      : /\.(mjs|cjs|js)$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Milliseconds for a fresh `node` to start, import `file` and exit. */
function loadOnce(file: string, env: NodeJS.ProcessEnv): number {
  const began = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(file)})`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 30_000,
  });
  const ms = performance.now() - began;
  if (result.status !== 0) throw new Error(`${file} did not load: ${result.stderr.toString().slice(0, 500)}`);
  return ms;
}

/**
 * The cold-start proxy of every function in the assembly: bundle sizes, and the mean time of the faster half of
 * `runs` fresh processes to load the bundle with its template environment, against an empty module loaded in
 * the same rounds (round-robin, so drift of the machine hits all alike).
 */
export function measureColdStart(cdkOut: string, runs: number): ColdStartFigures {
  const model = buildLocalModel(readCloudAssembly(cdkOut), { sqs: 'http://127.0.0.1:9' });
  const scratch = mkdtempSync(join(tmpdir(), 'sj-bench-empty-'));
  const empty = join(scratch, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  try {
    const floorDir = join(scratch, 'sdk-floor');
    new FunctionBundle(SDK_FLOOR_ENTRY).tryBundle(floorDir);
    const floor = {
      label: 'SDK clients alone',
      bundleDir: floorDir,
      handler: `${BUNDLE_ENTRY}.handler`,
      env: { PATH: process.env.PATH, ...DUMMY_ENDPOINTS },
    };
    const librariesDir = join(scratch, 'libraries-floor');
    new FunctionBundle(LIBRARIES_ENTRY).tryBundle(librariesDir);
    const libraries = { ...floor, label: 'SDK clients and libraries', bundleDir: librariesDir };
    const enqueuingDir = join(scratch, 'enqueuing-floor');
    new FunctionBundle(ENQUEUING_ENTRY).tryBundle(enqueuingDir);
    const enqueuing = { ...floor, label: 'SDK clients, libraries and SQS', bundleDir: enqueuingDir };
    // A durable job's two functions share one bundle (its starter and its execution function): measured once.
    const bundled = model.functions.filter(
      (fn, index) => model.functions.findIndex((other) => other.bundleDir === fn.bundleDir) === index,
    );
    const targets = [
      { ...floor, label: 'SDK clients alone, again' },
      ...bundled.map((fn) => ({ ...fn, env: functionEnvironment(fn, DUMMY_ENDPOINTS) })),
      enqueuing,
      libraries,
      floor,
    ];
    const functions = targets.map((fn) => {
      const files = filesUnder(fn.bundleDir);
      const base = join(fn.bundleDir, fn.handler.slice(0, fn.handler.lastIndexOf('.')));
      const entry = ['.mjs', '.js', '.cjs']
        .map((extension) => `${base}${extension}`)
        .find((file) => files.includes(file));
      if (!entry) throw new Error(`${fn.label}: no entry file for handler ${fn.handler} in ${fn.bundleDir}`);
      const init = staticClosure(entry).map((file) => readFileSync(file));
      return {
        job: fn.label,
        entry,
        env: fn.env,
        entryBytes: init.reduce((sum, source) => sum + source.length, 0),
        entryGzipBytes: init.reduce((sum, source) => sum + gzipSync(source).length, 0),
        initFiles: init.length,
        totalBytes: files.reduce((sum, file) => sum + readFileSync(file).length, 0),
        times: [] as number[],
      };
    });
    const emptyTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      emptyTimes.push(loadOnce(empty, { PATH: process.env.PATH }));
      for (const fn of functions) fn.times.push(loadOnce(fn.entry, fn.env));
    }
    // The faster half of each target's processes: a load is only ever slowed by the machine, never sped up.
    const emptyModuleMs = fasterHalfMean(emptyTimes);
    const figures = functions.map(
      ({ job, entryBytes, entryGzipBytes, initFiles, totalBytes, times }): BundleFigures => {
        const declared = appJobs.find((declaration) => declaration.name === job);
        const loadMs = fasterHalfMean(times);
        return {
          job,
          entryBytes,
          entryGzipBytes,
          initFiles,
          totalBytes,
          loadMs,
          loadRatio: loadMs / emptyModuleMs,
          ...(declared ? { loadsQueueAtInit: loadsQueueAtInit(declared) } : {}),
        };
      },
    );
    return {
      runs,
      emptyModuleMs,
      floorControl: figures[0]!,
      bundles: figures.slice(1, -3),
      enqueuingFloor: figures.at(-3)!,
      librariesFloor: figures.at(-2)!,
      sdkFloor: figures.at(-1)!,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
