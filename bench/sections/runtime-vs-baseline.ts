import type { SQSRecord } from 'aws-lambda';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';
import { sendEmailJob } from '#shared/jobs/send-email';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { createQueue, createTable } from '#test/helpers/aws';
import type { BenchEnv } from '../bench-env';
import { largestItemBytes, unitsPerStatement } from '../item-size';
import { meterRequests } from '../request-meter';
import { median } from '../statistics';
import { runConcurrently, sendEmailRecords } from '../workloads/bench-records';
import { ourRuntime } from '../workloads/our-runtime';
import { baselineHistoryTable, powertoolsBaseline } from '../workloads/powertools-baseline';
import type { Workload } from '../workloads/workload';

const idempotencyTable: TableDesign = {
  id: 'Idempotency',
  envVar: 'IDEMPOTENCY_TABLE',
  partitionKey: 'id',
  indexes: [],
};

/** DynamoDB use per successful job, measured on the wire over a whole run. */
export interface RequestFigures {
  readonly jobs: number;
  readonly succeeded: number;
  /** Write requests: a BatchExecuteStatement is one. */
  readonly writesPerJob: number;
  /** Items written, one per statement of a BatchExecuteStatement: what DynamoDB Local's limit is counted in. */
  readonly itemWritesPerJob: number;
  readonly readsPerJob: number;
  readonly writeUnitsPerJob: number;
  readonly readUnitsPerJob: number;
  readonly byCommand: Record<string, number>;
  /**
   * Median duration of one batch run alone (the Lambda duration proxy: an execution environment runs one batch
   * at a time). A lower bound: here a batch has a whole core, where 256 MB on Lambda gets a fraction of one.
   */
  readonly invocationMs: number;
}

/** Our runtime's figures after its first `jobs` timed jobs on one ledger table: the scaling rows. */
export interface GrowthPoint {
  readonly jobs: number;
  /** Our timed milliseconds for those jobs: its repetitions, then its steps alone. */
  readonly ms: number;
  readonly ours: RequestFigures;
}

export interface RuntimeComparison {
  readonly jobs: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly ours: RequestFigures;
  /** Absent with `oursOnly`. */
  readonly baseline?: RequestFigures;
  /**
   * Milliseconds per repetition of jobs/reps jobs; ours ÷ the baseline's as the median of the pairs' ratios (what
   * the alternation is for), and as the ratio of the two medians.
   */
  readonly wall: {
    readonly jobsPerRep: number;
    readonly oursMs: number[];
    readonly baselineMs: number[];
    readonly pairedRatio: number;
    readonly medianRatio: number;
    readonly pairRatios: number[];
  };
  /** Cumulative after each of our repetitions and each step of `growTo`. */
  readonly growth: GrowthPoint[];
  /** The largest item of our ledger after the run, which the write units of its statements are counted from. */
  readonly ledgerItemBytes: number;
}

export interface ComparisonOptions {
  readonly jobs: number;
  readonly reps: number;
  /** @default send-email's batch size */
  readonly batchSize?: number;
  /** Batches at once. @default send-email's maxConcurrency */
  readonly concurrency?: number;
  /** Run only our runtime (the scaling rows). @default false */
  readonly oursOnly?: boolean;
  /** Untimed, unmetered jobs per side first (DynamoDB Local's JIT, both code paths). @default min(1000, jobs) */
  readonly warmUp?: number;
  /**
   * After the repetitions, our runtime goes on alone on the same ledger table and clients, in steps of jobs/reps,
   * until it has run this many timed jobs: the cost per job as the work grows. @default jobs (no more)
   */
  readonly growTo?: number;
}

async function timed(
  workload: Workload,
  records: readonly SQSRecord[],
  batchSize: number,
  concurrency: number,
): Promise<{ ms: number; succeeded: number }> {
  let succeeded = 0;
  const began = performance.now();
  await runConcurrently(chunk(records, batchSize), concurrency, async (batch) => {
    const done = await workload.handle(batch);
    succeeded += done;
  });
  return { ms: performance.now() - began, succeeded };
}

/**
 * Our runtime and the Powertools baseline, side by side in one run, on the same DynamoDB Local and SES
 * emulator: `jobs` each, run as `reps` alternating repetitions of jobs/reps, every request metered, every
 * repetition timed.
 */
export async function compareRuntimes(env: BenchEnv, options: ComparisonOptions): Promise<RuntimeComparison> {
  const batchSize = options.batchSize ?? sendEmailJob.batchSize;
  const concurrency = options.concurrency ?? sendEmailJob.maxConcurrency;
  // Each side's clients as it builds them: ours with the runtime's client config, the baseline with the SDK's defaults.
  const oursClient = env.dynamodb(runtimeClientConfig);
  const baselineClient = env.dynamodb();
  // Set-up on a client of its own: with cacheMiddleware, a client's stack must be complete before its first request.
  const setup = env.dynamodb();
  const [ledger, idempotency, history, queueUrl, dlqUrl] = await Promise.all([
    createTable(ledgerTable, setup),
    createTable(idempotencyTable, setup),
    createTable(baselineHistoryTable, setup),
    createQueue('bench', {}, env.sqs()),
    createQueue('bench-dlq', {}, env.sqs()),
  ]);
  const ours = ourRuntime({
    dynamodb: oursClient,
    sqs: env.sqs(runtimeClientConfig),
    ledgerTable: ledger,
    queueUrl,
    dlqUrl,
    sender: env.sender(runtimeClientConfig),
  });
  const baseline = powertoolsBaseline({
    dynamodb: baselineClient,
    idempotencyTable: idempotency,
    historyTable: history,
    sender: env.sender(),
  });
  const runs: [Workload, ReturnType<typeof meterRequests>][] = [[ours, meterRequests(oursClient)]];
  if (!options.oursOnly) runs.push([baseline, meterRequests(baselineClient)]);

  // Warm-up, not counted: DynamoDB Local's JIT and both code paths, so the first timed repetition is not penalised.
  const warmUp = options.warmUp ?? Math.min(1000, options.jobs);
  if (warmUp > 0)
    for (const [workload] of runs)
      await timed(
        workload,
        sendEmailRecords(`warm-${workload.name}-${Date.now()}`, warmUp, Date.now()),
        batchSize,
        concurrency,
      );
  // One batch at a time, the sides taking turns batch by batch: the duration of an invocation, as Lambda bills it.
  const alone = runs.map((): number[] => []);
  const rounds = Math.max(1, Math.min(40, Math.floor(options.jobs / batchSize)));
  for (let round = 0; round < rounds; round++) {
    for (const [index, [workload]] of runs.entries()) {
      const { ms } = await timed(
        workload,
        sendEmailRecords(`alone-${round}-${index}-${Date.now()}`, batchSize, Date.now()),
        batchSize,
        1,
      );
      alone[index]!.push(ms);
    }
  }
  for (const [, meter] of runs) meter.reset();

  const invocationMs = alone.map((ms) => median(ms));
  // Our completions' statements are counted at the units of the largest ledger item, read now that the warm-up and
  // the runs alone have written complete runs, and checked again at the end.
  const units = unitsPerStatement(await largestItemBytes(setup, ledger));
  const figuresOf = (index: number, succeeded: number): RequestFigures => {
    const meter = runs[index]![1];
    const per = (n: number) => n / Math.max(1, succeeded);
    return {
      jobs: succeeded,
      succeeded,
      writesPerJob: per(meter.writes()),
      itemWritesPerJob: per(meter.itemWrites()),
      readsPerJob: per(meter.reads()),
      writeUnitsPerJob: per(meter.writeUnits() + meter.statementsWritten() * units),
      readUnitsPerJob: per(meter.readUnits()),
      byCommand: Object.fromEntries(meter.byCommand),
      invocationMs: invocationMs[index]!,
    };
  };
  const times = runs.map((): number[] => []);
  const succeededTotals = runs.map(() => 0);
  const growth: GrowthPoint[] = [];
  const oursMsSoFar = () => times[0]!.reduce((sum, ms) => sum + ms, 0);
  const perRep = Math.ceil(options.jobs / options.reps);
  for (let rep = 0; rep < options.reps; rep++) {
    // Alternate which goes first, so a drift of the machine during a pair does not favour one side.
    const order = rep % 2 === 0 ? runs.map((_, i) => i) : runs.map((_, i) => runs.length - 1 - i);
    for (const index of order) {
      const [workload] = runs[index]!;
      const records = sendEmailRecords(`rep${rep}-${index}-${Date.now()}`, perRep, Date.now());
      const { ms, succeeded } = await timed(workload, records, batchSize, concurrency);
      if (succeeded !== perRep)
        throw new Error(`${workload.name}: ${succeeded} of ${perRep} jobs succeeded in repetition ${rep + 1}`);
      times[index]!.push(ms);
      succeededTotals[index]! += succeeded;
      if (index === 0)
        growth.push({ jobs: succeededTotals[0]!, ms: oursMsSoFar(), ours: figuresOf(0, succeededTotals[0]!) });
      await env.clearEmails();
    }
  }
  const figures: RequestFigures[] = runs.map((_, index) => ({
    ...figuresOf(index, succeededTotals[index]!),
    jobs: options.jobs,
  }));
  // Our runtime alone from here: the same table, clients and settings, one step of perRep at a time.
  let grownMs = oursMsSoFar();
  for (let step = 0; succeededTotals[0]! < (options.growTo ?? 0); step++) {
    const records = sendEmailRecords(`grow${step}-${Date.now()}`, perRep, Date.now());
    const { ms, succeeded } = await timed(runs[0]![0], records, batchSize, concurrency);
    if (succeeded !== perRep)
      throw new Error(
        `${runs[0]![0].name}: ${succeeded} of ${perRep} jobs succeeded in step ${step + 1} past ` +
          `${succeededTotals[0]} jobs`,
      );
    succeededTotals[0]! += succeeded;
    grownMs += ms;
    growth.push({ jobs: succeededTotals[0]!, ms: grownMs, ours: figuresOf(0, succeededTotals[0]!) });
    await env.clearEmails();
  }
  const ledgerItemBytes = await largestItemBytes(setup, ledger);
  if (unitsPerStatement(ledgerItemBytes) !== units)
    throw new Error(
      `ledger items grew to ${ledgerItemBytes} bytes during the run: statements were counted at ${units}`,
    );
  const oursMs = times[0]!;
  const baselineMs = times[1] ?? [];
  const pairRatios = baselineMs.length ? oursMs.map((ms, i) => ms / baselineMs[i]!) : [];
  return {
    jobs: options.jobs,
    batchSize,
    concurrency,
    ours: figures[0]!,
    baseline: figures[1],
    wall: {
      jobsPerRep: perRep,
      oursMs,
      baselineMs,
      pairedRatio: median(pairRatios),
      medianRatio: baselineMs.length ? median(oursMs) / median(baselineMs) : Number.NaN,
      pairRatios,
    },
    growth,
    ledgerItemBytes,
  };
}
