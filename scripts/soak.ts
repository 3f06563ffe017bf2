/**
 * `npm run soak -- --jobs 10000`: pushes N jobs through the local stack (LocalStack on a synthesized app with
 * the soak fixture job, built by the product's stack code) with faults at ~5%: transient errors, duplicate
 * sends (a new message with the same job ID), one forced sandbox crash (SIGKILL) and one restart of the
 * runner's workers. With `--emulator-faults`, the parts themselves fail too: DynamoDB Local is killed (SIGKILL) and
 * the runner must start it again, and the SQS emulator is restarted; the stack then keeps its data on disk, as
 * those services do. Then prints sent, succeeded, dead-lettered, lost, duplicated effects, the duration and
 * the peak memory, and exits 1 if anything was lost or duplicated.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { emulatorEnvironment } from '@serverless-jobs/local/runner';
import { defaultLanes, LocalStack } from '@serverless-jobs/local/runner';
import { Sandbox } from '@serverless-jobs/local/runner';
import { SqsPoller } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { collectSoakResults } from './soak-results';
import { lostDetail, type PlannedJob, printHistories, unfinishedJobs } from './soak-unfinished';
import { soakJob } from './soak-job';
import { seededRandom } from '#infra/local/seeded-random';
import { synthesizeInProcess } from '#infra/local/synthesize-in-process';

const ROOT = resolve(import.meta.dirname, '..');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    'fault-rate': { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '20261124' },
    'timeout-minutes': { type: 'string', default: '10' },
    'emulator-faults': { type: 'boolean', default: false },
  },
});
const JOBS = Number(args.jobs);
const FAULT_RATE = Number(args['fault-rate']);
const EMULATOR_FAULTS = args['emulator-faults'];
if (!Number.isInteger(JOBS) || JOBS < 10)
  throw new Error(`--jobs must be an integer of at least 10 (given ${args.jobs})`);

/** ~5% faults: 2.5% transient (1-2 failing attempts), 0.5% that use up their 3 attempts, 2% sent twice. */
function plan(count: number, rate: number, random: () => number): PlannedJob[] {
  return Array.from({ length: count }, (_, n) => {
    const roll = random();
    const transient = roll < rate * 0.5;
    const exhausted = !transient && roll < rate * 0.6;
    const duplicate = !transient && !exhausted && roll < rate;
    const failAttempts = transient ? 1 + Math.floor(random() * 2) : exhausted ? soakJob.retry.attempts : 0;
    return { id: `soak-${String(n).padStart(6, '0')}`, n, failAttempts, duplicate };
  });
}

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc (Linux); undefined elsewhere or once it is gone. */
function peakMiB(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The runner's workers, as LocalStack builds them: one poller per mapping, sandboxes started on demand. */
function startWorkers(stack: LocalStack): SqsPoller[] {
  const env = emulatorEnvironment(stack.emulators);
  const client = new SQSClient({
    endpoint: stack.emulators.sqs.endpoint,
    region: env.AWS_REGION,
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  return stack.model.mappings.map((mapping) => {
    const fn = stack.model.functions.find((f) => f.logicalId === mapping.functionLogicalId)!;
    const queue = stack.model.queues.find((q) => q.logicalId === mapping.queueLogicalId)!;
    const sandboxEnv = stack.environmentOf(fn);
    const poller = new SqsPoller({
      client,
      mapping,
      fn,
      queueUrl: queue.url,
      queueArn: queue.arn,
      lanes: defaultLanes(),
      startSandbox: () => Sandbox.start(fn, sandboxEnv, (line) => stack.output.line(fn.label, line)),
      report: () => {},
    });
    poller.start();
    return poller;
  });
}

async function main(): Promise<void> {
  const random = seededRandom(Number(args.seed));
  const jobs = plan(JOBS, FAULT_RATE, random);
  const log = (text: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${text}`);

  log(`synthesizing the soak app (the product's stack code, job "soak")…`);
  // At DEBUG each run prints "Job succeeded" as soon as its completion is acknowledged: the unfinished check reads it.
  const cdkOut = synthesizeInProcess([soakJob], () => join(ROOT, 'scripts/soak-handler.ts'), 'sj-soak-', {
    logLevel: 'DEBUG',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-soak-data-'));
  const notes: string[] = [];
  const restarts: string[] = [];
  // Every line the functions and the runner print, to tell what became of a lost job's deliveries.
  const history: string[] = [];
  const stack = await LocalStack.start({
    root: ROOT,
    cdkOut,
    synth: 'never',
    dataDir,
    // A killed DynamoDB Local comes back with its data only from disk; so do the queues of a restarted fauxqs.
    persist: EMULATOR_FAULTS,
    dashboard: false,
    write: (text) => {
      const line = text.replace(/\u001b\[[0-9;]*m/g, '').trim();
      history.push(line);
      if (/restarted|could not be restarted/.test(line)) {
        restarts.push(line);
        log(`runner: ${line}`);
      } else if (/abandoned|crash/i.test(line)) notes.push(line);
    },
  });
  const endpoints = stack.describe().endpoints as { sqs: string; dynamodb: string };
  const sqs = new SQSClient({
    endpoint: endpoints.sqs,
    region: 'us-east-1',
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials });
  const outputs = stack.model.outputs;
  const queueUrl = outputs[jobOutputKey.queueUrl('soak')]!;
  const dlqUrl = outputs[jobOutputKey.dlqUrl('soak')]!;
  const ledgerTable = outputs[tableOutputKey('Ledger')]!;
  const effectsTable = outputs[tableOutputKey('Orders')]!;
  const emulatorPids = new Set(stack.describe().childPids);
  const javaPids = () => [...emulatorPids, stack.emulators.dynamodb.pid];

  const peaks = new Map<number, number>();
  let workers: SqsPoller[] = [...stack.pollers];
  const sandboxPids = () => workers.flatMap((poller) => poller.sandboxPids);
  const sample = () => {
    for (const pid of [...javaPids(), ...sandboxPids()]) {
      const peak = peakMiB(pid);
      if (peak !== undefined) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peak));
    }
  };
  const sampler = setInterval(sample, 500);

  const began = Date.now();
  const deadline = began + Number(args['timeout-minutes']) * 60_000;
  try {
    // Send every job, then the duplicates (a new message, the same job ID), 10 per batch, 8 batches at once.
    const messageIds = new Map<string, string[]>();
    const messages = [...jobs, ...jobs.filter((job) => job.duplicate)].map((job) => ({
      body: JSON.stringify({ id: job.id, job: 'soak', payload: { n: job.n, failAttempts: job.failAttempts } }),
      id: job.id,
    }));
    const batches = chunk(messages, 10);
    for (let i = 0; i < batches.length; i += 8) {
      await Promise.all(
        batches.slice(i, i + 8).map(async (batch) => {
          const { Failed = [], Successful = [] } = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((m, j) => ({
                Id: String(j),
                MessageBody: m.body,
                MessageAttributes: { jobId: { DataType: 'String', StringValue: m.id } },
              })),
            }),
          );
          if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} sends: ${Failed[0]?.Message}`);
          for (const sent of Successful) {
            const id = batch[Number(sent.Id)]!.id;
            messageIds.set(id, [...(messageIds.get(id) ?? []), sent.MessageId ?? '']);
          }
        }),
      );
    }
    log(`sent ${messages.length} messages for ${jobs.length} jobs in ${((Date.now() - began) / 1000).toFixed(1)} s`);

    const depth = async (): Promise<number> => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
      );
    };
    let crashed: number | undefined;
    const emulatorFaults: string[] = [];
    let restarted = false;
    let emptyPolls = 0;
    while (emptyPolls < 3) {
      if (Date.now() > deadline) throw new Error(`not drained after ${args['timeout-minutes']} minutes`);
      await new Promise((r) => setTimeout(r, 1000));
      // While SQS restarts, its depth is unknown: asked again a second later.
      const remaining = await depth().catch(() => undefined);
      if (remaining === undefined) continue;
      emptyPolls = remaining === 0 ? emptyPolls + 1 : 0;
      const done = 1 - remaining / messages.length;
      // The forced crash: SIGKILL one sandbox in the middle of its work, at about 30% done.
      if (crashed === undefined && done >= 0.3) {
        const [pid] = sandboxPids();
        if (pid !== undefined) {
          sample();
          process.kill(pid, 'SIGKILL');
          crashed = pid;
          log(`killed sandbox pid ${pid} (SIGKILL) at ${(done * 100).toFixed(0)}% done`);
        }
      }
      if (EMULATOR_FAULTS && emulatorFaults.length === 0 && done >= 0.2) {
        const pid = stack.emulators.dynamodb.pid;
        emulatorPids.add(pid);
        sample();
        process.kill(pid, 'SIGKILL');
        emulatorFaults.push(`DynamoDB Local SIGKILL (pid ${pid}, ${new Date().toISOString().slice(11, 23)})`);
        log(`killed DynamoDB Local, pid ${pid} (SIGKILL), at ${(done * 100).toFixed(0)}% done`);
      }
      if (EMULATOR_FAULTS && emulatorFaults.length === 1 && done >= 0.45) {
        emulatorFaults.push('SQS emulator restart');
        log(`restarting the SQS emulator at ${(done * 100).toFixed(0)}% done`);
        await stack.restartSqs();
      }
      // The restart: every worker stops (in-flight invocations finish within 10 s, then sandboxes are
      // killed), and new ones start, as a deploy or a runner restart replaces them. The queues (SQS) stay.
      if (!restarted && done >= 0.6) {
        restarted = true;
        sample();
        const stopping = workers;
        const before = Date.now();
        await Promise.all(stopping.map((poller) => poller.stop(10_000)));
        workers = startWorkers(stack);
        log(
          `restarted the runner's workers at ${(done * 100).toFixed(0)}% done (stopped in ${Date.now() - before} ms)`,
        );
      }
    }
    const duration = (Date.now() - began) / 1000;
    sample();

    const results = await collectSoakResults({
      dynamodb,
      sqs,
      ledgerTable,
      effectsTable,
      dlqUrl,
      dataDir,
    });
    const { runs, effects, dlq, dlqWithoutJobId, metrics } = results;

    const expectedDead = new Set(jobs.filter((job) => job.failAttempts >= soakJob.retry.attempts).map((job) => job.id));
    const succeeded = jobs.filter((job) => runs.get(job.id) === 'SUCCEEDED' && effects.get(job.id) === 1).length;
    const dead = jobs.filter((job) => runs.get(job.id) === 'DEAD' && dlq.has(job.id)).length;
    const unfinished = unfinishedJobs(jobs, { runs, effects, dlq }, history, EMULATOR_FAULTS);
    const lost = unfinished.lost.length;
    const duplicated = [...effects.values()].filter((count) => count > 1).reduce((sum, count) => sum + count - 1, 0);
    const wronglyDead = jobs.filter((job) => runs.get(job.id) === 'DEAD' && !expectedDead.has(job.id)).length;
    const deadWithEffect = jobs.filter((job) => expectedDead.has(job.id) && (effects.get(job.id) ?? 0) > 0).length;
    const runner = process.resourceUsage().maxRSS / 1024;
    const sandboxPeaks = [...peaks].filter(([pid]) => !javaPids().includes(pid)).map(([, peak]) => peak);
    const javaPeak = Math.max(0, ...[...peaks].filter(([pid]) => javaPids().includes(pid)).map(([, peak]) => peak));
    const rows: [string, string][] = [
      ['jobs sent', `${jobs.length} (+${messages.length - jobs.length} duplicate sends = ${messages.length} messages)`],
      [
        'faults injected',
        `${jobs.filter((j) => j.failAttempts > 0 && j.failAttempts < soakJob.retry.attempts).length} ` +
          `transient, ${expectedDead.size} failing every attempt, ${messages.length - jobs.length} ` +
          `duplicates, 1 sandbox SIGKILL (pid ${crashed ?? 'none'}), 1 worker restart` +
          (emulatorFaults.length > 0 ? `, ${emulatorFaults.join(', ')}` : ''),
      ],
      ...(EMULATOR_FAULTS
        ? [['emulator restarts', restarts.length > 0 ? restarts.join(' | ') : 'none reported'] as [string, string]]
        : []),
      ['succeeded', `${succeeded} (ledger SUCCEEDED with exactly one effect)`],
      [
        'dead-lettered',
        `${dead} (expected ${expectedDead.size}; ${wronglyDead} dead that should not be; ` +
          `${deadWithEffect} dead with an effect)`,
      ],
      ['lost', lost > 0 ? `${lost} (${lostDetail(unfinished.lost, results)})` : '0'],
      ...(EMULATOR_FAULTS
        ? [
            [
              'forgotten by DynamoDB Local',
              `${unfinished.forgotten.length}` +
                (unfinished.forgotten.length > 0
                  ? ` (${unfinished.forgotten.map((job) => job.id).join(', ')}: completion acknowledged, the ` +
                    'function logged "Job succeeded", then missing after the SIGKILL: the emulator\'s loss, not ours)'
                  : ''),
            ] as [string, string],
          ]
        : []),
      ['DLQ messages without jobId', `${dlqWithoutJobId} (matched by their envelope's id)`],
      ['duplicated side effects', String(duplicated)],
      [
        'duplicates acknowledged',
        `${metrics.JobDuplicate} (JobDuplicate); retried ${metrics.JobRetried}, busy ` +
          `${metrics.JobBusy}, lease lost ${metrics.JobLeaseLost}`,
      ],
      [
        'duration',
        `${duration.toFixed(1)} s (${(jobs.length / duration).toFixed(0)} jobs/s), first send to empty queue`,
      ],
      [
        'peak memory: runner',
        `${runner.toFixed(0)} MiB maxRSS (Node: the runner with fauxqs and the SES emulator in-process)`,
      ],
      [
        'peak memory: sandboxes',
        sandboxPeaks.length
          ? `${Math.max(...sandboxPeaks).toFixed(0)} MiB largest, ${sandboxPeaks.length} sandboxes sampled (VmHWM)`
          : 'not sampled',
      ],
      ['peak memory: DynamoDB Local', javaPeak ? `${javaPeak.toFixed(0)} MiB (Java, VmHWM)` : 'not sampled'],
    ];
    if (notes.length > 0)
      rows.push([
        'runner notes',
        notes
          .slice(0, 3)
          .join(' | ')
          .replace(/\u001b\[[0-9;]*m/g, ''),
      ]);
    const width = Math.max(...rows.map(([k]) => k.length));
    const flags = `--jobs ${JOBS}${EMULATOR_FAULTS ? ' --emulator-faults' : ''}`;
    console.log(`\nnpm run soak -- ${flags} (seed ${args.seed}, fault rate ${FAULT_RATE})`);
    for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
    await printHistories([...unfinished.lost, ...unfinished.forgotten].slice(0, 3), {
      dynamodb,
      ledgerTable,
      history,
      messageIds,
    });
    // Each emulator fault must show in the runner's output: SQS's restart, and DynamoDB Local's restart by the runner.
    const restartsReported = restarts.length === emulatorFaults.length;
    process.exitCode =
      lost === 0 &&
      duplicated === 0 &&
      wronglyDead === 0 &&
      deadWithEffect === 0 &&
      dead === expectedDead.size &&
      restartsReported
        ? 0
        : 1;
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.filter((poller) => !stack.pollers.includes(poller)).map((poller) => poller.stop(2_000)));
    await stack.stop(2_000);
    rmSync(cdkOut, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
