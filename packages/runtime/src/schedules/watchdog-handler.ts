import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runtimeClientConfig } from '../adapters/client-config.ts';
import { LazyJobQueue } from '../adapters/lazy-job-queue.ts';
import { readFunctionEnvironment, WATCHED_SCHEDULES_VARIABLE } from '../contracts/environment.ts';
import { createLambdaHandler } from '../runtime/create-lambda-handler.ts';
import { defineScheduleWatchdog } from './schedule-watchdog-job.ts';
import type { watchdogCheck, WatchdogPass } from './watchdog-check.ts';
import type { WatchedSchedule } from './watched-schedule.ts';

/**
 * The schedule watchdog's Lambda handler. Its schedules are compiled into its bundle by the synth (esbuild
 * replaces `process.env.WATCHED_SCHEDULES`): in the environment they would outgrow Lambda's 4 KB. Its checks (cron,
 * the occurrence ledger) load on its first run, once per container, and SQS on its first catch-up.
 * @param loadCheck imports `watchdogCheck`: `() => import('…')` of a module that re-exports it, written in the
 *   watchdog's entry file. esbuild makes a chunk of every `import()` in a bundle's files, used or not, and moves what
 *   that chunk shares with the entry into the entry's static imports: written here, it would put croner at the init
 *   of every bundle whose code imports this package's schedules.
 */
export function createWatchdogHandler(
  loadCheck: () => Promise<{ readonly watchdogCheck: typeof watchdogCheck }>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const env = readFunctionEnvironment();
  const client = new DynamoDBClient(runtimeClientConfig);
  const queue = new LazyJobQueue(async () => {
    const { createSqsJobQueue } = await import('../adapters/sqs-job-queue.ts');
    return createSqsJobQueue({
      ownQueueUrl: env.queueUrl,
      deadLetterQueueUrl: env.deadLetterQueueUrl,
      queueUrlOf: env.queueUrlOf,
    });
  });
  const raw = process.env.WATCHED_SCHEDULES ?? process.env[WATCHED_SCHEDULES_VARIABLE];
  if (!raw) throw new Error(`Environment variable ${WATCHED_SCHEDULES_VARIABLE} is not set`);
  const schedules = JSON.parse(raw) as WatchedSchedule[];
  let loading: Promise<(pass: WatchdogPass) => Promise<void>> | undefined;
  const check = () =>
    (loading ??= loadCheck().then(
      ({ watchdogCheck }) => watchdogCheck(schedules, client, env.ledgerTable, queue),
      (error: unknown) => {
        // Tried again on the next run.
        loading = undefined;
        throw error;
      },
    ));
  // Its declaration here needs no watched job's: it sends through its own queue client, not ctx.enqueue.
  return createLambdaHandler(
    defineScheduleWatchdog([]),
    async (_payload, ctx) =>
      (await check())({
        now: ctx.occurrence ? Date.parse(ctx.occurrence.time) : ctx.now().getTime(),
        missedAfterMs: ctx.settings.missedAfterMinutes * 60_000,
        recordedAt: () => ctx.now().getTime(),
        logger: ctx.logger,
      }),
    { dynamodb: client },
  );
}
