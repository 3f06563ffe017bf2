import { sendEmailJob } from '#shared/jobs/send-email';
import type { CostBreakdown } from './cost-model';
import { cpuBoundJobsPerSecond, cpuCeilingText, iamCpuText } from './cpu-figures';
import { coldStartRows } from './cold-start-figures';
import type { ColdStartFigures } from './sections/cold-start';
import { GOALS } from './goals';
import { asPrinted, dollars, fixed, type FigureRow, verdict } from './report';
import type { ThroughputFigures } from './sections/local-throughput';
import type { RuntimeComparison } from './sections/runtime-vs-baseline';
import { median } from './statistics';

/** Everything one `npm run bench` measured, as bench/results.json keeps it. */
export interface BenchResults {
  readonly pricesDate: string;
  readonly synth: { readonly seconds: number[]; readonly medianSeconds: number };
  readonly coldStart: ColdStartFigures;
  readonly runtimes: RuntimeComparison;
  readonly throughput: ThroughputFigures;
  /** End to end with IAM enforced and not (`--no-iam`): 3 pairs of smaller runs, in alternating order. */
  readonly iamComparison: { readonly on: readonly ThroughputFigures[]; readonly off: readonly ThroughputFigures[] };
  readonly cost: {
    readonly ours: CostBreakdown;
    readonly baseline: CostBreakdown;
  };
  readonly scaling: {
    readonly jobCounts: readonly {
      readonly jobs: number;
      readonly jobsPerSecond: number;
      readonly writesPerJob: number;
      readonly writeUnitsPerJob: number;
      readonly cost: CostBreakdown;
    }[];
    readonly batchSizes: readonly {
      readonly figures: ThroughputFigures;
      readonly invocationMs: number;
      readonly cost: CostBreakdown;
    }[];
  };
}

const ratio = (ours: number, baseline: number): string => fixed(ours / baseline);

function breakdown(cost: CostBreakdown): string {
  return (
    `DynamoDB writes ${dollars(cost.dynamodbWrites)} + reads ${dollars(cost.dynamodbReads)}, ` +
    `SQS ${dollars(cost.sqs)}, Lambda requests ${dollars(cost.lambdaRequests)} + duration ` +
    `${dollars(cost.lambdaDuration)}, logs ${dollars(cost.logs)}`
  );
}

function runtimeRows(r: BenchResults): FigureRow[] {
  const { ours, wall } = r.runtimes;
  const baseline = r.runtimes.baseline!;
  const over = `over ${ours.succeeded} successful jobs each`;
  const commands = (byCommand: Record<string, number>) =>
    Object.entries(byCommand)
      .map(([name, n]) => `${n} ${name.replace(/Command$/, '')}`)
      .join(', ');
  return [
    {
      section: '1',
      figure: 'DynamoDB write requests per job',
      ours: fixed(ours.writesPerJob),
      baseline: fixed(baseline.writesPerJob),
      ratio: ratio(ours.writesPerJob, baseline.writesPerJob),
      goal: `≤ ${GOALS.writesPerJob} (baseline ≥ ${GOALS.baselineWritesPerJob})`,
      verdict: verdict(ours.writesPerJob <= GOALS.writesPerJob && baseline.writesPerJob >= GOALS.baselineWritesPerJob),
      how:
        `an SDK middleware on each side's DynamoDBClient counts every request, ${over} against ` +
        `DynamoDB Local (ours: ${commands(ours.byCommand)}; baseline: ${commands(baseline.byCommand)}); ` +
        `items written per job: ${fixed(ours.itemWritesPerJob)} / ${fixed(baseline.itemWritesPerJob)}, ours ` +
        `mostly as statements of a BatchExecuteStatement (a batch's claims, and its completions)`,
    },
    {
      section: '1',
      figure: 'DynamoDB write units (WCU) per job',
      ours: fixed(ours.writeUnitsPerJob),
      baseline: fixed(baseline.writeUnitsPerJob),
      ratio: ratio(ours.writeUnitsPerJob, baseline.writeUnitsPerJob),
      goal: `≤ ${GOALS.writeUnitsPerJob}`,
      verdict: verdict(ours.writeUnitsPerJob <= GOALS.writeUnitsPerJob),
      how:
        `the same middleware sets ReturnConsumedCapacity=TOTAL and sums what DynamoDB Local ` +
        `reports, tables and indexes: our ledger has no index (a job's runs are in its own partitions), the ` +
        `baseline's history keeps a byJob index projecting every attribute, so each of its writes writes twice; ` +
        `DynamoDB Local reports no capacity for a BatchExecuteStatement, so each of our statements that succeeded ` +
        `counts the units of the largest ledger item, read after the run (${r.runtimes.ledgerItemBytes} bytes: ` +
        `${Math.max(1, Math.ceil(r.runtimes.ledgerItemBytes / 1024))} WCU)`,
    },
    {
      section: '1',
      figure: 'DynamoDB read units (RCU) per job',
      ours: fixed(ours.readUnitsPerJob),
      baseline: fixed(baseline.readUnitsPerJob),
      ratio: '-',
      goal: '-',
      verdict: '',
      how: `as above; reads ${fixed(ours.readsPerJob)} / ${fixed(baseline.readsPerJob)} requests per job`,
    },
    {
      section: '2',
      figure: `wall time, ${wall.jobsPerRep} jobs per repetition`,
      ours: `${fixed(median(wall.oursMs) / 1000)} s`,
      baseline: `${fixed(median(wall.baselineMs) / 1000)} s`,
      // Three places: at two, a ratio a hair above the goal printed as the goal itself beside "NOT met".
      ratio: fixed(wall.pairedRatio, 3),
      goal: `≤ ${GOALS.wallRatio}`,
      verdict: verdict(asPrinted(wall.pairedRatio) <= GOALS.wallRatio),
      how:
        `${r.runtimes.jobs} jobs each as ${wall.oursMs.length} alternating repetitions (which ` +
        `side goes first alternates), ${r.runtimes.concurrency} batches of ${r.runtimes.batchSize} ` +
        `at once (send-email's concurrency and batch size), after a warm-up of 1,000 jobs each; the ` +
        `same DynamoDB Local and SES emulator; the ratio is the median of the pairs' ratios ` +
        `(${wall.pairRatios.map((x) => fixed(x)).join(', ')}); the ratio of the two medians is ` +
        `${fixed(wall.medianRatio)}`,
    },
  ];
}

/** How many lanes ran, and why that many: the mapping's maximum, or the runner's cap (its default or --e2e-lanes). */
function lanesText(t: ThroughputFigures): string {
  const cap =
    t.laneCap.from === 'option'
      ? `--e2e-lanes ${t.laneCap.lanes}`
      : `the runner's default cap of ${t.laneCap.lanes}, 2 per core`;
  return t.lanes < t.maxConcurrency ? `${t.lanes} lanes (${cap})` : `${t.lanes} lanes (its maximum; ${cap})`;
}

function throughputRow(t: ThroughputFigures, r: BenchResults): FigureRow {
  const met = asPrinted(t.ofLimit ?? 0, 2) >= GOALS.ofLimit && t.lost === 0;
  // The same runtime and DynamoDB Local with no SQS, runner or sandboxes.
  const inProcess = r.scaling.jobCounts.at(-1);
  const bursts = t.putItemBursts
    ? `the best of ${t.putItemBursts.length} bursts: ${t.putItemBursts.map((rate) => fixed(rate, 0)).join(', ')}`
    : 'one burst';
  const ceiling =
    inProcess && t.limitJobsPerSecond
      ? `; in process, with no SQS, runner or sandboxes, the runtime ran ${fixed(inProcess.jobsPerSecond, 0)} ` +
        `jobs/s in section 7's ${inProcess.jobs}-job row = ${fixed(inProcess.jobsPerSecond / t.limitJobsPerSecond)} ` +
        `of the limit (a batch's writes go as one request, so the PutItem limit no longer bounds the runtime)`
      : '';
  const cpuBound = cpuBoundJobsPerSecond(t);
  return {
    section: '3',
    figure: 'local end-to-end throughput',
    ours: `${fixed(t.jobsPerSecond, 0)} jobs/s, ${t.lost} lost`,
    baseline: '-',
    ratio:
      cpuBound && t.limitJobsPerSecond
        ? `${fixed(t.ofLimit)} of limit; CPU allows ${fixed(cpuBound / t.limitJobsPerSecond)}`
        : `${fixed(t.ofLimit)} of limit`,
    goal: `≥ ${GOALS.ofLimit} of limit, 0 lost`,
    verdict: verdict(met),
    how:
      `${t.jobs} send-email jobs sent to fauxqs in batches of 10, run by the local runner (batch ` +
      `${t.batchSize}, maximum concurrency ${t.maxConcurrency} run as ${lanesText(t)}; sandboxed ` +
      `bundles on plain node) on the DynamoDB Local (in memory) that the in-process rows warmed up, ` +
      `e-mailed to the SES emulator; first send to last completion ${fixed(t.seconds, 1)} s; ` +
      `${t.succeeded} SUCCEEDED in the ledger, ${t.emails} e-mails in the SES store; limit = ` +
      `${fixed(t.putItemPerSecond, 0)} conditional PutItem/s (16 at once, same DynamoDB Local, after ` +
      `the run: ${bursts}) ÷ ${fixed((t.putItemPerSecond ?? 0) / (t.limitJobsPerSecond ?? 1))} item writes per ` +
      `job = ` +
      `${fixed(t.limitJobsPerSecond, 0)} jobs/s${ceiling}; ${cpuCeilingText(t, GOALS.ofLimit)}`,
  };
}

function iamRow({ on, off }: BenchResults['iamComparison']): FigureRow {
  const rate = (runs: readonly ThroughputFigures[]) => median(runs.map((t) => t.jobsPerSecond));
  const lost = [...on, ...off].reduce((sum, t) => sum + t.lost, 0);
  const share = rate(on) / rate(off);
  const each = (runs: readonly ThroughputFigures[]) => runs.map((t) => fixed(t.jobsPerSecond, 0)).join(', ');
  const goal = GOALS.iamThroughputRatio;
  const met = asPrinted(share) >= goal && lost === 0;
  // Each pair ran its two sides back to back: how far the pairs' ratios spread is what this run's noise alone does.
  // A shortfall is noise only if some pair, as printed, meets the goal: when every pair is short, the check cost that.
  const pairs = on.map((t, i) => t.jobsPerSecond / (off[i]?.jobsPerSecond ?? Number.NaN));
  const spread = asPrinted(Math.max(...pairs) - Math.min(...pairs));
  const short = asPrinted(goal - asPrinted(share));
  const somePairMeets = pairs.some((ratio) => asPrinted(ratio, 2) >= goal);
  const noise =
    met || lost > 0
      ? ''
      : somePairMeets
        ? `; the pairs' ratios spread over ${fixed(spread, 3)}, so this row's ${fixed(short, 3)} short of the goal ` +
          `is ${short <= spread ? 'within' : 'beyond'} this run's noise`
        : `; every pair's ratio is short of the goal, so this row's ${fixed(short, 3)} short of it is beyond ` +
          "this run's noise";
  return {
    section: '3',
    figure: 'throughput with IAM enforced',
    ours: `${fixed(rate(on), 0)} jobs/s on, ${fixed(rate(off), 0)} off`,
    baseline: '-',
    ratio: `${fixed(share, 3)} of off`,
    goal: `≥ ${goal} of off`,
    verdict: verdict(met),
    how:
      `medians of 3 pairs of ${on[0]?.jobs ?? 0} send-email jobs end to end, as the row above, in alternating ` +
      `order: with every function's request checked against its role, DynamoDB's in its sandbox and the others by ` +
      `the runner's checker (${each(on)} jobs/s), and with --no-iam, the functions reaching the emulators directly ` +
      `(${each(off)} jobs/s); the pairs' ` +
      `ratios ${pairs.map((x) => fixed(x)).join(', ')}; ${lost} lost; ${iamCpuText(on, off, goal)}${noise}`,
  };
}

/** Which runs the first `jobs` of our runtime's growing ledger came from. */
function growthSource(r: BenchResults, jobs: number): string {
  const { wall } = r.runtimes;
  const compared = wall.jobsPerRep * wall.oursMs.length;
  if (jobs <= compared) return `${jobs / wall.jobsPerRep} of section 2's repetitions`;
  return (
    `section 2's ${wall.oursMs.length} repetitions, then ${(jobs - compared) / wall.jobsPerRep} ` +
    `steps of ${wall.jobsPerRep} alone`
  );
}

function scalingRows(r: BenchResults): FigureRow[] {
  const counts = r.scaling.jobCounts;
  const first = counts[0]?.cost.total ?? 0;
  const spread = Math.max(0, ...counts.map((row) => Math.abs(row.cost.total - first) / first));
  return [
    ...counts.map(
      (row): FigureRow => ({
        section: '7',
        figure: `${row.jobs} jobs`,
        ours: `${dollars(row.cost.total)} per 1M, ${fixed(row.jobsPerSecond, 0)} jobs/s`,
        baseline: '-',
        ratio: '-',
        goal: `flat (±${GOALS.flatness * 100}%)`,
        verdict: verdict(spread <= GOALS.flatness),
        how:
          `our runtime in process on DynamoDB Local at send-email's concurrency, one ledger table ` +
          `growing: its first ${row.jobs} timed jobs (${growthSource(r, row.jobs)}); jobs/s = those ` +
          `jobs ÷ their timed seconds; what varies with the count is DynamoDB ` +
          `(${fixed(row.writeUnitsPerJob)} WCU, ${fixed(row.writesPerJob)} write requests per job); ` +
          `the one-batch duration, SQS and log bytes are sections 2 and 3's`,
      }),
    ),
    ...r.scaling.batchSizes.map(({ figures: t, invocationMs, cost }): FigureRow => {
      const sqsRequests = Object.entries(t.sqsRequestsPerJob)
        .map(([name, n]) => `${name} ${fixed(n, 3)}`)
        .join(', ');
      return {
        section: '7',
        figure: `batch size ${t.batchSize}${t.batchingWindowSeconds ? ` (window ${t.batchingWindowSeconds} s)` : ''}`,
        ours: `${dollars(cost.total)} per 1M, ${fixed(t.jobsPerSecond, 0)} jobs/s, ${t.lost} lost`,
        baseline: '-',
        ratio: '-',
        goal: '-',
        verdict: '',
        how:
          `${t.jobs} jobs through the local runner: ${t.invocations.count} invocations of ` +
          `${fixed(t.invocations.meanSize, 1)} records, ${fixed(t.invocations.meanMs, 0)} ms each under that load; ` +
          `Lambda duration priced at ${fixed(invocationMs, 0)} ms, one batch of this size alone in process; ` +
          `SQS requests per job: ${sqsRequests}`,
      };
    }),
  ];
}

function logBytesRow(t: ThroughputFigures): FigureRow {
  return {
    section: '6',
    figure: 'log bytes per successful job',
    ours: `${fixed(t.logBytesPerJob, 0)} B`,
    baseline: '-',
    ratio: '-',
    goal: `≤ ${GOALS.logBytesPerJob} B`,
    verdict: verdict(t.logBytesPerJob <= GOALS.logBytesPerJob),
    how:
      `what the send-email functions printed at the default log level during section 3's run (log lines and ` +
      `EMF), divided by its successful jobs; Lambda's own lines come on top, priced in row 6`,
  };
}

/** The printed table: one row per figure, in the sections' order. */
export function buildRows(r: BenchResults): FigureRow[] {
  return [
    ...runtimeRows(r),
    throughputRow(r.throughput, r),
    iamRow(r.iamComparison),
    ...coldStartRows(r.coldStart),
    {
      section: '5',
      figure: 'synth of the whole app',
      ours: `${fixed(r.synth.medianSeconds, 1)} s`,
      baseline: '-',
      ratio: '-',
      goal: `≤ ${GOALS.synthSeconds} s`,
      verdict: verdict(r.synth.medianSeconds <= GOALS.synthSeconds),
      how:
        `\`npx cdk synth --quiet\`, median of ` +
        `${r.synth.seconds.map((s) => fixed(s, 1)).join(', ')} s (every function bundled, the safety ` +
        `Aspect, both cdk-nag packs)`,
    },
    {
      section: '6',
      figure: 'cost per 1M send-email jobs',
      ours: dollars(r.cost.ours.total),
      baseline: dollars(r.cost.baseline.total),
      ratio: ratio(r.cost.ours.total, r.cost.baseline.total),
      goal: `≤ ${dollars(GOALS.dollarsPerMillion)}`,
      verdict: verdict(r.cost.ours.total <= GOALS.dollarsPerMillion),
      how:
        `bench/prices.json list prices ` +
        `(${r.pricesDate}) × measured use, default settings (${sendEmailJob.memoryMb} MB, batch ` +
        `${sendEmailJob.batchSize}); Lambda duration: the median batch run alone (a lower bound), ` +
        `ours ${fixed(r.runtimes.ours.invocationMs, 0)} ms, baseline ` +
        `${fixed(r.runtimes.baseline?.invocationMs, 0)} ms. Ours: ${breakdown(r.cost.ours)}. ` +
        `Baseline: ${breakdown(r.cost.baseline)} (its SQS and log bytes taken as ours; Lambda's own ` +
        `350 bytes of log lines per invocation are assumed, not measured)`,
    },
    logBytesRow(r.throughput),
    ...scalingRows(r),
  ];
}
