import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { systemClock } from '@serverless-jobs/runtime/runtime';
import type { FunctionOutput } from '../runner/function-output.ts';
import type { LocalModel } from '../runner/local-model.ts';
import type { ScheduleRunner } from '../runner/schedule-runner.ts';
import type { VirtualClock } from '../runner/virtual-clock.ts';
import { jobOutputKey } from '@serverless-jobs/runtime/contracts';
import { JobsOps } from '@serverless-jobs/cli/ops';
import { requireOutput } from '@serverless-jobs/cli/ops';
import { deployedJobs } from './api-routes.ts';
import { DashboardServer } from './dashboard-server.ts';
import { RunnerScheduleControl, type RunnerScheduleControlOptions } from './runner-schedule-control.ts';

export interface LocalDashboardOptions {
  readonly model: LocalModel;
  readonly schedules: ScheduleRunner;
  readonly clock: VirtualClock;
  readonly output: FunctionOutput;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** The app's job declarations, the framework's included: the page validates what it sends with them. */
  readonly jobs: readonly JobDeclaration[];
  /** A fixed port (a free one if taken), or undefined for any free port. @default undefined */
  readonly port?: number;
  /** One-time sends kept across restarts. @default none */
  readonly sends?: RunnerScheduleControlOptions['sends'];
}

/** The dashboard of a running local stack, and what must stop with it. */
export interface LocalDashboard {
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
}

/** Wires the dashboard server to the runner's schedules, clock, EMF records and emulators, and starts it. */
export async function startLocalDashboard(options: LocalDashboardOptions): Promise<LocalDashboard> {
  const { model, clock, sqs, dynamodb } = options;
  const jobs = deployedJobs(options.jobs, model.outputs, jobOutputKey.queueUrl);
  const schedules = new RunnerScheduleControl({
    runner: options.schedules,
    clock,
    client: sqs,
    queueUrlOf: (job) => requireOutput(model.outputs, jobOutputKey.queueUrl(job)),
    sends: options.sends,
  });
  // Runs and queues are on real time; occurrences on the runner's virtual clock.
  const ops = new JobsOps({
    sqs,
    dynamodb,
    outputs: model.outputs,
    jobs,
    clock: systemClock,
    scheduleClock: clock,
    schedules,
    target: 'local',
  });
  const server = await DashboardServer.start({
    port: options.port,
    schedules,
    ops,
    clock,
    metrics: () => options.output.metrics,
    jobs,
  });
  return {
    url: server.url,
    token: server.token,
    stop: async () => {
      schedules.stop();
      await server.stop();
    },
  };
}
