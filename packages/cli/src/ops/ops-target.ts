import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { type Clock, systemClock } from '@serverless-jobs/runtime/runtime';
import { parseRunnerState, RUNNER_STATE_FILE, type RunnerState } from '@serverless-jobs/runtime/contracts';
import { AwsScheduleControl } from './aws-schedule-control.ts';
import { OpsTargetError } from './errors.ts';
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

/** The state of a running npm start, or undefined when there is none (no file, or its process has exited). */
export function readRunnerState(file: string): RunnerState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // being rewritten, or left half-written by a crash
  }
  const state = parseRunnerState(parsed);
  return state && isAlive(state.pid) ? state : undefined;
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
  const outputs = await loadStackOutputs(new CloudFormationClient({}), stackName);
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const ops = new JobsOps({
    sqs,
    dynamodb: new DynamoDBClient({}),
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
  });
  return { ops, kind: 'aws', description: `AWS stack ${stackName}` };
}

/** `--local`, or npm start when its runner.json names a live process, or AWS. */
export async function openOpsTarget(options: OpsTargetOptions): Promise<OpsTarget> {
  const file = join(options.dataDir ?? join(options.root, '.local'), RUNNER_STATE_FILE);
  if (options.local !== false) {
    const state = readRunnerState(file);
    if (state) return localTarget(state, options.jobs, options.clock);
    if (options.local === true)
      throw new OpsTargetError(
        `No running npm start: ${file} is missing or names a process that has exited; start it with npm start`,
      );
  }
  return awsTarget(options.stackName ?? stackNameOf(options.stage ?? 'dev'), options.jobs, options.clock);
}
