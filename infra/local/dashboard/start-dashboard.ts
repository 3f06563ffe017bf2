import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { allJobs } from '#shared/jobs/registry';
import { systemClock } from '#shared/runtime/clock';
import type { FunctionOutput } from '#infra/local/function-output';
import type { LocalModel } from '#infra/local/local-model';
import type { ScheduleRunner } from '#infra/local/schedule-runner';
import type { VirtualClock } from '#infra/local/virtual-clock';
import { jobOutputKey } from '#infra/outputs/output-names';
import { JobsOps } from '#infra/ops/jobs-ops';
import { requireOutput } from '#infra/ops/stack-output';
import { deployedJobs } from '#infra/local/dashboard/api-routes';
import { DashboardServer } from '#infra/local/dashboard/dashboard-server';
import { RunnerScheduleControl } from '#infra/local/dashboard/runner-schedule-control';

export interface LocalDashboardOptions {
  readonly model: LocalModel;
  readonly schedules: ScheduleRunner;
  readonly clock: VirtualClock;
  readonly output: FunctionOutput;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** A fixed port (a free one if taken), or undefined for any free port. @default undefined */
  readonly port?: number;
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
  const jobs = deployedJobs(model.outputs, jobOutputKey.queueUrl);
  const schedules = new RunnerScheduleControl({
    runner: options.schedules,
    clock,
    client: sqs,
    queueUrlOf: (job) => requireOutput(model.outputs, jobOutputKey.queueUrl(job)),
  });
  // Runs and queues are on real time; occurrences on the runner's virtual clock.
  const ops = new JobsOps({
    sqs,
    dynamodb,
    outputs: model.outputs,
    jobs: allJobs.filter((job) => jobs.includes(job.name)),
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
    deployedJobs: jobs,
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
