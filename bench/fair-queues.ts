/**
 * `npm run bench:fairness`: the flood test's figures for BENCHMARKS.md. One key trickles while another floods, on
 * the local runner's SQS (fauxqs with its fair-queue hooks) and poller; the trickling key's p50 and p95 wait, alone,
 * under the flood with fairness declared, and under the same flood without it. Starts and stops its own fauxqs.
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from '@serverless-jobs/local/runner';
import { wholeNumber, wholeNumbers } from './arguments';
import { measureTrickle, type TrickleOptions, type TrickleRun } from './sections/fair-queues';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Each option and its default. Each flood size is one run with fairness declared; the largest also runs without. */
const DEFAULTS = { floods: '2000,4000,8000', trickle: '50', 'every-ms': '60', 'record-ms': '4', lanes: '2' };
const { values: args } = parseArgs({
  options: Object.fromEntries(
    Object.entries(DEFAULTS).map(([name, value]) => [name, { type: 'string' as const, default: value }]),
  ),
});

const count = (name: keyof typeof DEFAULTS, min: number): number => wholeNumber(name, args[name], min);

const shape = {
  trickle: count('trickle', 2),
  trickleEveryMs: count('every-ms', 1),
  recordMs: count('record-ms', 0),
  lanes: count('lanes', 1),
};
const floods = wholeNumbers('floods', args.floods, 1);
const largest = Math.max(...floods);

const sqsEmulator = await startFauxqs();
const sqs = new SQSClient({
  endpoint: sqsEmulator.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});
const scenarios: readonly [string, Pick<TrickleOptions, 'flood' | 'fair'>][] = [
  ['trickle alone', { flood: 0, fair: true }],
  ...floods.map((flood): [string, Pick<TrickleOptions, 'flood' | 'fair'>] => [
    `+ flood of ${flood}, fairness declared`,
    { flood, fair: true },
  ]),
  [`+ flood of ${largest}, no fairness`, { flood: largest, fair: false }],
];
const runs: [string, TrickleRun][] = [];
try {
  for (const [label, scenario] of scenarios) {
    console.error(`[fairness] ${label}`);
    runs.push([label, await measureTrickle({ sqs, ...shape, ...scenario })]);
  }
} finally {
  await sqsEmulator.stop();
}

const alone = runs[0]![1];
const ms = (value: number) => `${Math.round(value)} ms`;
console.log(
  `trickle: ${shape.trickle} messages, one every ${shape.trickleEveryMs} ms; ${shape.lanes} lanes, batch 10, ` +
    `${shape.recordMs} ms of work per record`,
);
console.log('| run | trickling key p50 | p95 | p95 over alone | flood drained in | lost | run twice |');
console.log('|---|---|---|---|---|---|---|');
for (const [label, run] of runs) {
  console.log(
    `| ${label} | ${ms(run.p50)} | ${ms(run.p95)} | +${ms(run.p95 - alone.p95)} | ` +
      `${run.floodDrainedMs > 0 ? `${(run.floodDrainedMs / 1000).toFixed(1)} s` : '-'} | ${run.lost} | ` +
      `${run.doubled} |`,
  );
}
