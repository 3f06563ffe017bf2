import { withDurableExecution } from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner, type TestResult } from '@aws/durable-execution-sdk-js-testing';
import { cancelRun, DynamoDbDurableRuns } from '@serverless-jobs/runtime/adapters';
import {
  type DurableJobHandler,
  type DurableOutcome,
  type DurableStart,
  executionName,
  runDurable,
} from '@serverless-jobs/runtime/durable';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { type JobLogger, processBatch, type RecordOutcome, validated } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { dynamo } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const quiet: JobLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One started durable run: its local execution, and the runner that can answer its callbacks. */
export interface StartedRun {
  readonly runner: LocalDurableTestRunner<DurableOutcome>;
  readonly execution: Promise<TestResult<DurableOutcome>>;
}

/**
 * A durable job on DynamoDB Local, fauxqs and the durable-execution testing SDK's local runner: its messages go
 * through the starter's runtime (claim, hand-over), and each execution runs `runDurable` with the real ledger.
 */
export interface DurableFixture extends RuntimeFixture {
  readonly runs: DynamoDbDurableRuns;
  /** Delivers one message to the starter; resolves with the started run, or undefined if none started. */
  deliver(id: string, payload: unknown): Promise<StartedRun | undefined>;
  /** The starter's outcome of the last delivery. */
  readonly outcomes: RecordOutcome[];
  cancel(id: string): ReturnType<typeof cancelRun>;
}

export async function createDurableFixture(
  job: JobDeclaration,
  handler: DurableJobHandler<unknown, unknown>,
  targets: readonly string[] = [],
  timeScale = 1,
): Promise<DurableFixture> {
  const f = await createRuntimeFixture(targets);
  const runs = new DynamoDbDurableRuns(dynamo(), f.ledgerName);
  const durable = withDurableExecution((event: DurableStart, context) =>
    runDurable(
      {
        job,
        handler,
        settings: z.parse(job.settings, {}),
        runs,
        queue: f.queue,
        clock: f.clock,
        logger: { ...quiet, child: () => quiet },
        metrics: f.metrics,
        timeScale,
        enqueue: (target, payload, options) =>
          f.queue.send(target, [{ id: options.id, ...validated(job, target, payload) }]),
      },
      event,
      context,
    ),
  );
  const fixture: DurableFixture = {
    ...f,
    runs,
    outcomes: [],
    cancel: (id) => cancelRun(dynamo(), f.ledgerName, { job: job.name, id }, f.clock.now(), 30),
    deliver: async (id, payload) => {
      let started: StartedRun | undefined;
      const deps = f.deps(job, async () => {}, {
        handOver: async (run, valid) => {
          const name = executionName(run.key.id, run.redrives ?? 0);
          const runner = new LocalDurableTestRunner<DurableOutcome>({ handlerFunction: durable });
          const start: DurableStart = { jobId: run.key.id, payload: valid, executionName: name };
          started = { runner, execution: runner.run({ payload: start }) };
          const now = f.clock.now();
          return runs.handOver(run.key, run.fence, { now, leaseExpiresAt: now + 3_600_000, name });
        },
      });
      const { outcomes } = await processBatch(deps, [sqsRecordFactory({ id, job: job.name, payload })]);
      fixture.outcomes.splice(0, Infinity, ...outcomes);
      return started;
    },
  };
  return fixture;
}
