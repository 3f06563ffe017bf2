import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { type Clock, systemClock } from '@serverless-jobs/runtime/runtime';
import { parseRunnerState, RUNNER_STATE_FILE, type RunnerState } from '@serverless-jobs/runtime/contracts';
import { AwsScheduleControl } from './aws-schedule-control.ts';
import { readTemplateBody } from './deployed-template.ts';
import { OpsUnreachableError } from './errors.ts';
import { JobsOps } from './jobs-ops.ts';
import { LocalScheduleControl } from './local-schedule-control.ts';
import { CloudWatchMessageAge } from './message-age.ts';
import { loadStackOutputs, stackNameOf } from './stack-output.ts';

export type { RunnerState };

export interface OpsTargetOptions {
  /** The project folder; the runner state is `<dataDir>/runner.json`. */
  readonly root: string;
  /** @default '<root>/.local' */
  readonly dataDir?: string;
  /** `true`: the running npm start or an error; `false`: AWS; undefined: npm start when it runs, AWS otherwise. */
  readonly local?: boolean;
  /** @default 'dev' */
  readonly stage?: string;
  /** The stack on AWS. @default `ServerlessJobs-<stage>` */
  readonly stackName?: string;
  readonly jobs: readonly JobDeclaration[];
  /** @default the system clock */
  readonly clock?: Clock;
}

export interface OpsTarget {
  readonly ops: JobsOps;
  readonly kind: 'aws' | 'local';
  /** `local npm start (pid 4242)` or `AWS stack ServerlessJobs-dev`. */
  readonly description: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a data folder says about npm start: running, or why not. */
export type RunnerLookup =
  | { readonly kind: 'running'; readonly state: RunnerState }
  | { readonly kind: 'missing' }
  /** runner.json names a process that has exited: npm start was killed, or crashed, before it could clean up. */
  | { readonly kind: 'stale'; readonly pid: number }
  /** Being rewritten, left half-written by a crash, or not a runner state. */
  | { readonly kind: 'unreadable' };

/** Reads `<dataDir>/runner.json`: the npm start it names, or why there is none to talk to. */
export function findRunner(file: string): RunnerLookup {
  if (!existsSync(file)) return { kind: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { kind: 'unreadable' };
  }
  const state = parseRunnerState(parsed);
  if (!state) return { kind: 'unreadable' };
  return isAlive(state.pid) ? { kind: 'running', state } : { kind: 'stale', pid: state.pid };
}

/** The state of a running npm start, or undefined when there is none (no file, or its process has exited). */
export function readRunnerState(file: string): RunnerState | undefined {
  const lookup = findRunner(file);
  return lookup.kind === 'running' ? lookup.state : undefined;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const clockAnswer = z.looseObject({ now: z.string(), speed: z.number().positive() });

/** npm start's virtual clock (`GET /api/clock`), extrapolated from one reading; the real clock without the API. */
export async function runnerClock(state: RunnerState, real: Clock = systemClock): Promise<Clock> {
  if (!state.dashboard) return real;
  try {
    const answer = clockAnswer.parse(await (await fetch(new URL('/api/clock', state.dashboard.url))).json());
    const [virtual, read] = [Date.parse(answer.now), real.now()];
    return { now: () => virtual + (real.now() - read) * answer.speed };
  } catch {
    return real;
  }
}

/** JobsOps on the running npm start: its emulators, its outputs, its control API and its schedules' clock. */
export async function localTarget(
  state: RunnerState,
  jobs: readonly JobDeclaration[],
  clock: Clock = systemClock,
): Promise<OpsTarget> {
  const common = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const ops = new JobsOps({
    sqs: new SQSClient({ ...common, endpoint: state.endpoints.sqs, useQueueUrlAsEndpoint: false }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: state.endpoints.dynamodb }),
    ...(state.endpoints.lambda ? { lambda: new LambdaClient({ ...common, endpoint: state.endpoints.lambda }) } : {}),
    outputs: state.outputs,
    jobs,
    clock,
    scheduleClock: await runnerClock(state, clock),
    schedules: new LocalScheduleControl(state.dashboard),
    target: 'local',
  });
  return { ops, kind: 'local', description: `local npm start (pid ${state.pid}, ${state.stackName})` };
}

/** JobsOps on AWS: the default credential chain and region, resources found through the stack's outputs. */
export async function awsTarget(
  stackName: string,
  jobs: readonly JobDeclaration[],
  clock: Clock = systemClock,
): Promise<OpsTarget> {
  const cloudFormation = new CloudFormationClient({});
  const outputs = await loadStackOutputs(cloudFormation, stackName);
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const ops = new JobsOps({
    sqs,
    dynamodb: new DynamoDBClient({}),
    lambda: new LambdaClient({}),
    outputs,
    jobs,
    clock,
    schedules: new AwsScheduleControl({
      scheduler: new SchedulerClient({}),
      events: new EventBridgeClient({}),
      sqs,
      outputs,
      jobs,
      clock,
    }),
    target: 'aws',
    messageAge: new CloudWatchMessageAge(new CloudWatchClient({}), () => clock.now()),
    template: () => readTemplateBody(cloudFormation, stackName),
  });
  return { ops, kind: 'aws', description: `AWS stack ${stackName}` };
}

/** The folder as the operator typed or knows it: relative to the working folder when under it. */
function shownFolder(dir: string): string {
  const path = relative(process.cwd(), dir);
  if (path === '') return '.';
  return path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path) ? dir : path;
}

function noRunner(dataDir: string, lookup: Exclude<RunnerLookup, { kind: 'running' }>): string {
  const why =
    lookup.kind === 'stale'
      ? `its runner.json is stale: the npm start that wrote it, PID ${lookup.pid}, is gone`
      : lookup.kind === 'unreadable'
        ? 'its runner.json cannot be read'
        : 'it has no runner.json';
  return `No npm start is running in ${shownFolder(dataDir)} (${why}); start one with npm start`;
}

/**
 * `--local`, or npm start when its runner.json names a live process, or AWS. Throws OpsUnreachableError when
 * there is nothing to talk to, saying which npm start it looked for and how to start one or reach AWS.
 */
export async function openOpsTarget(options: OpsTargetOptions): Promise<OpsTarget> {
  const dataDir = options.dataDir ?? join(options.root, '.local');
  const stackName = options.stackName ?? stackNameOf(options.stage ?? 'dev');
  if (options.local === false) return awsTarget(stackName, options.jobs, options.clock);
  const lookup = findRunner(join(dataDir, RUNNER_STATE_FILE));
  if (lookup.kind === 'running') return localTarget(lookup.state, options.jobs, options.clock);
  if (options.local === true)
    throw new OpsUnreachableError(
      `${noRunner(dataDir, lookup)}, or pass --aws instead of --local to reach the deployed stack`,
    );
  try {
    return await awsTarget(stackName, options.jobs, options.clock);
  } catch (error) {
    if (!(error instanceof OpsUnreachableError)) throw error;
    // Led by npm start: without --aws, the operator most likely meant the local stack.
    throw new OpsUnreachableError(
      `${noRunner(dataDir, lookup)}, or pass --aws to reach the deployed stack (tried AWS as well: ${error.detail})`,
      { cause: error },
    );
  }
}
