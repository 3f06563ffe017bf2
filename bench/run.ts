/**
 * `npm run bench`: every figure of BENCHMARKS.md in one run, ours beside the Powertools baseline,
 * printed as a table and written to bench/results.json. See BENCHMARKS.md for the latest table.
 */
import { cpus } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumber, wholeNumbers } from './arguments';
import { startBenchEnv } from './bench-env';
import { costPerMillionJobs, type Prices } from './cost-model';
import { buildRows } from './figures';
import { formatFigures, formatMethods } from './report';
import { DEFAULT_LOAD_RUNS, measureColdStart } from './sections/cold-start';
import { measureLocalThroughput, type ThroughputFigures } from './sections/local-throughput';
import { compareRuntimes, type RequestFigures, type RuntimeComparison } from './sections/runtime-vs-baseline';
import { measureSynth } from './sections/synth-time';
import { sendEmailUsage } from './usage';

const ROOT = resolve(import.meta.dirname, '..');
process.env.CDK_DISABLE_VERSION_CHECK = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    reps: { type: 'string', default: '10' },
    'e2e-jobs': { type: 'string', default: '10000' },
    // The local runner's cap on concurrent sandboxes per job (default: its own, 2 per core).
    'e2e-lanes': { type: 'string' },
    // Read off our runtime's run as its ledger grows: each a multiple of jobs/reps; past --jobs, it goes on alone.
    'scale-jobs': { type: 'string', default: '1000,10000,50000' },
    'batch-jobs': { type: 'string', default: '500' },
    'load-runs': { type: 'string', default: String(DEFAULT_LOAD_RUNS) },
    'synth-runs': { type: 'string', default: '3' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
  },
});

const count = (name: keyof typeof args, min: number): number => wholeNumber(name, args[name], min);

const options = {
  jobs: count('jobs', 10),
  reps: count('reps', 1),
  e2eJobs: count('e2e-jobs', 10),
  e2eLanes: args['e2e-lanes'] === undefined ? undefined : count('e2e-lanes', 1),
  batchJobs: count('batch-jobs', 10),
  loadRuns: count('load-runs', 1),
  synthRuns: count('synth-runs', 1),
  scaleJobs: wholeNumbers('scale-jobs', args['scale-jobs'], 10),
};
const perRep = Math.ceil(options.jobs / options.reps);
for (const jobs of options.scaleJobs) {
  if (jobs % perRep !== 0)
    throw new Error(
      `--scale-jobs are read after whole repetitions of ${perRep} jobs (--jobs ÷ --reps): ${jobs} is ` +
        `not a multiple of ${perRep}`,
    );
}
const BATCH_SIZES = [
  { batchSize: 1, batchingWindowSeconds: 0 },
  { batchSize: 10, batchingWindowSeconds: 0 },
  { batchSize: 100, batchingWindowSeconds: 1 },
];

const log = (text: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);

async function main(): Promise<void> {
  const began = performance.now();
  const prices = JSON.parse(readFileSync(join(ROOT, 'bench', 'prices.json'), 'utf8')) as Prices;

  log(`5. synth of the whole app, ${options.synthRuns}×…`);
  const synth = measureSynth(ROOT, options.synthRuns);
  try {
    log(`4. cold-start proxy: ${options.loadRuns} fresh processes per bundle…`);
    const coldStart = measureColdStart(synth.outdir, options.loadRuns);

    log(
      `1-2. ${options.jobs} jobs each through our runtime and the Powertools baseline, ` +
        `${options.reps} alternating repetitions…`,
    );
    const env = await startBenchEnv();
    let runtimes: RuntimeComparison;
    const jobCounts: { jobs: number; ours: RequestFigures; jobsPerSecond: number }[] = [];
    const batchRuntimes: RuntimeComparison[] = [];
    let throughput: ThroughputFigures;
    const iamComparison: { on: ThroughputFigures[]; off: ThroughputFigures[] } = { on: [], off: [] };
    const batchSizes: ThroughputFigures[] = [];
    try {
      const growTo = Math.max(...options.scaleJobs);
      if (growTo > options.jobs) log(`   7. then our runtime alone on the same ledger, up to ${growTo} jobs…`);
      runtimes = await compareRuntimes(env, { jobs: options.jobs, reps: options.reps, growTo });
      for (const jobs of options.scaleJobs) {
        const point = runtimes.growth.find((p) => p.jobs === jobs);
        if (!point)
          throw new Error(
            `no checkpoint of our runtime at ${jobs} jobs (it has ${runtimes.growth.map((p) => p.jobs).join(', ')})`,
          );
        jobCounts.push({ jobs, ours: point.ours, jobsPerSecond: jobs / (point.ms / 1000) });
      }
      // DynamoDB Local is warm from here on: the runs below need no warm-up of their own.
      for (const size of BATCH_SIZES) {
        log(`7. our runtime at batch size ${size.batchSize} (the invocation's duration)…`);
        batchRuntimes.push(
          await compareRuntimes(env, {
            jobs: options.batchJobs,
            reps: 1,
            oursOnly: true,
            batchSize: size.batchSize,
            warmUp: 0,
          }),
        );
      }

      // The end-to-end runs share the DynamoDB Local the runs above warmed up, and measure its limit on it.
      const shared = {
        root: ROOT,
        cdkOut: synth.outdir,
        writesPerJob: runtimes.ours.itemWritesPerJob,
        dynamodb: env.dynamodbLocal,
        maxLanes: options.e2eLanes,
      };
      // Enforcement's cost: pairs with IAM checked and not, in alternating order, 1/3 of the jobs each.
      const iamJobs = Math.max(10, Math.round(options.e2eJobs / 3));
      for (const [pair, order] of [
        [true, false],
        [false, true],
        [true, false],
      ].entries()) {
        for (const iam of order) {
          log(`3. IAM ${iam ? 'enforced' : 'off'}, pair ${pair + 1} of 3: ${iamJobs} jobs end to end…`);
          const figures = await measureLocalThroughput({ ...shared, jobs: iamJobs, iam, measureLimit: false });
          (iam ? iamComparison.on : iamComparison.off).push(figures);
        }
      }
      log(`3. ${options.e2eJobs} jobs through fauxqs, the local runner and DynamoDB Local…`);
      throughput = await measureLocalThroughput({ ...shared, jobs: options.e2eJobs });
      for (const size of BATCH_SIZES) {
        log(`7. ${options.batchJobs} jobs through the local runner at batch size ${size.batchSize}…`);
        batchSizes.push(
          await measureLocalThroughput({ ...shared, jobs: options.batchJobs, ...size, measureLimit: false }),
        );
      }
    } finally {
      await env.stop();
    }

    const cost = {
      ours: costPerMillionJobs(sendEmailUsage(runtimes.ours, throughput), prices),
      baseline: costPerMillionJobs(sendEmailUsage(runtimes.baseline!, throughput), prices),
    };
    const scaling = {
      jobCounts: jobCounts.map(({ jobs, ours, jobsPerSecond }) => ({
        jobs,
        jobsPerSecond,
        writesPerJob: ours.writesPerJob,
        writeUnitsPerJob: ours.writeUnitsPerJob,
        cost: costPerMillionJobs(sendEmailUsage(ours, throughput), prices),
      })),
      batchSizes: batchSizes.map((figures, i) => ({
        figures,
        invocationMs: batchRuntimes[i]!.ours.invocationMs,
        cost: costPerMillionJobs(sendEmailUsage(batchRuntimes[i]!.ours, figures), prices),
      })),
    };
    const seconds = (performance.now() - began) / 1000;
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
      options,
      pricesDate: prices.date,
      synth: { seconds: synth.seconds, medianSeconds: synth.medianSeconds },
      coldStart,
      runtimes,
      throughput,
      iamComparison,
      cost,
      scaling,
      seconds,
    };
    const rows = buildRows(results);
    console.log(
      `\nnpm run bench (${results.date.slice(0, 16)}, ${results.machine.cpus} cores, Node ` +
        `${process.version}, ${seconds.toFixed(0)} s)\n`,
    );
    console.log(formatFigures(rows));
    console.log(`\nHow each figure was measured:\n${formatMethods(rows)}`);
    writeFileSync(String(args.out), `${JSON.stringify({ ...results, rows }, null, 2)}\n`);
    console.log(`\nWrote ${String(args.out)}`);
  } finally {
    rmSync(synth.outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
