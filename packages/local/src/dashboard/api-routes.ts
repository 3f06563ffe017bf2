import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import type { EmfRecord } from '../runner/function-output.ts';
import type { VirtualClock } from '../runner/virtual-clock.ts';
import { BadRequestError } from './errors.ts';
import type { RunnerScheduleControl } from './runner-schedule-control.ts';
import { metricsByMinute } from './metrics-view.ts';
import { runsPage } from './runs-page.ts';
import type { DashboardOps, ScheduleRow } from './types.ts';
import { durationMs } from '@serverless-jobs/runtime/runtime';
import type { ScheduleRef } from '@serverless-jobs/cli/ops';

export interface ApiRoutesOptions {
  readonly schedules: RunnerScheduleControl;
  readonly ops: DashboardOps;
  readonly clock: VirtualClock;
  readonly metrics: () => readonly EmfRecord[];
  /** The declarations of the jobs the running stack has (a queue each); any other job is refused. */
  readonly jobs: readonly JobDeclaration[];
}

/** The window `/health` judges failures over: the default of `jobs health`, so both give the same answer. */
export const HEALTH_WINDOW_MS = 3_600_000;
/** Runs listed when the request names no limit. */
const RUNS_LIMIT = 50;
/** The response header that carries the cursor of the next page of runs, absent on the last page. */
export const NEXT_CURSOR_HEADER = 'x-next-cursor';
/** The metrics window the page charts. @default 60 minutes */
const METRICS_MINUTES = 60;

/** Parses a body or query with its schema; a 400 names the field and quotes the value. */
function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new BadRequestError(`${what}: ${describeIssues(result.error.issues, input ?? {})}`);
  return result.data;
}

const scheduleParams = z.object({ job: z.string(), schedule: z.string() });
const scheduleBody = z.object({ expression: z.string().min(1), timeZone: z.string().min(1) }).strict();
const sendAtBody = z
  .object({ job: z.string(), body: z.string().min(1), at: z.iso.datetime({ offset: true }) })
  .strict();
const sendBody = z
  .object({ job: z.string(), payload: z.unknown(), id: z.string().min(1).max(512).optional() })
  .strict();
const redriveBody = z.object({ job: z.string(), dryRun: z.boolean().default(false) }).strict();
const runsQuery = z.object({
  job: z.string().optional(),
  status: z.enum([...Object.values(RunStatus), '']).optional(),
  limit: z.coerce.number({ error: 'must be a whole number from 1 to 500' }).int().min(1).max(500).optional(),
  cursor: z.string().min(1).optional(),
});
const clockAdvanceBody = z.object({ by: z.string() }).strict();
const metricsQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(METRICS_MINUTES),
});

/** The JSON API of the dashboard page, and the schedule control API the `jobs` CLI uses under `npm start`. */
export function registerApiRoutes(app: FastifyInstance, options: ApiRoutesOptions): void {
  const { schedules, ops, clock } = options;

  const deployed = options.jobs.map((job) => job.name);
  const jobNamed = (name: string): JobDeclaration => {
    const job = options.jobs.find((candidate) => candidate.name === name);
    if (!job)
      throw new BadRequestError(
        `field "job": unknown job (given ${JSON.stringify(name)}); the jobs are: ${deployed.join(', ')}`,
      );
    return job;
  };
  const refOf = (params: unknown): ScheduleRef => {
    const { job, schedule } = parse(scheduleParams, params, 'schedule');
    const state = schedules.find(job, schedule);
    return { job, schedule, via: state.schedule.kind, name: state.schedule.name };
  };
  const rowOf = (ref: ScheduleRef): ScheduleRow =>
    schedules.rows().find((row) => row.job === ref.job && row.schedule === ref.schedule)!;

  app.get('/health', () => ops.health(HEALTH_WINDOW_MS));
  app.get('/api/clock', () => ({ now: new Date(clock.now()).toISOString(), speed: clock.speed }));
  app.post('/api/clock/advance', async (request) => {
    const { by } = parse(clockAdvanceBody, request.body, 'clock advance');
    const ms = durationMs(by);
    if (!(ms! > 0))
      throw new BadRequestError(
        `clock advance: field "by" must be a duration such as 30m, 6h or 2d (given ${JSON.stringify(by)})`,
      );
    schedules.advanceClock(ms!);
    return { now: new Date(clock.now()).toISOString(), speed: clock.speed };
  });
  app.get('/api/jobs', () => ops.listJobs());
  app.get('/api/queues', () => Promise.all(deployed.map((job) => ops.queueCounts(job))));

  app.get('/api/schedules', () => schedules.rows());
  for (const action of ['pause', 'resume'] as const) {
    app.post(`/api/schedules/:job/:schedule/${action}`, async (request) => {
      const ref = refOf(request.params);
      // Through the ops core, which records the pause in the ledger for the watchdog.
      await (action === 'resume' ? ops.resume(ref.job, ref.schedule) : ops.pause(ref.job, ref.schedule));
      return rowOf(ref);
    });
  }
  app.post('/api/schedules/:job/:schedule/trigger', async (request) => ({
    occurrence: await schedules.trigger(refOf(request.params)),
  }));
  app.put('/api/schedules/:job/:schedule', async (request) => {
    const ref = refOf(request.params);
    const { expression, timeZone } = parse(scheduleBody, request.body, 'schedule update');
    await schedules.update(ref, expression, timeZone);
    return rowOf(ref);
  });

  app.get('/api/send-at', () => schedules.pendingSends());
  app.post('/api/send-at', async (request) => {
    const { job, body, at } = parse(sendAtBody, request.body, 'send-at');
    jobNamed(job);
    const id = await schedules.sendAt(job, body, new Date(at));
    return { id, job, at: new Date(at).toISOString() };
  });

  app.get('/api/run-statuses', () => Object.values(RunStatus));
  // The body stays the plain array that scripts and tests already read; the next page's cursor is a header.
  app.get('/api/runs', async (request, reply) => {
    const query = parse(runsQuery, request.query, 'runs');
    const jobs = query.job ? [jobNamed(query.job).name] : deployed;
    const statuses = query.status ? [query.status] : undefined;
    const page = await runsPage(ops, { jobs, statuses, limit: query.limit ?? RUNS_LIMIT, cursor: query.cursor });
    if (page.next !== undefined) reply.header(NEXT_CURSOR_HEADER, page.next);
    return page.runs;
  });
  app.get('/api/dlq', async (request) => {
    const { job } = parse(z.object({ job: z.string() }), request.query, 'dlq');
    return ops.peekDlq(jobNamed(job).name, 10);
  });
  app.get('/api/metrics', (request) => {
    const { minutes } = parse(metricsQuery, request.query, 'metrics');
    const since = Math.floor(Date.now() / 60_000) * 60_000 - (minutes - 1) * 60_000;
    return { since, minutes, jobs: deployed, series: metricsByMinute(options.metrics(), since) };
  });

  app.post('/api/send', async (request) => {
    const { job: name, payload, id } = parse(sendBody, request.body, 'send');
    const job = jobNamed(name);
    const checked = z.safeParse(job.payload, payload);
    if (!checked.success)
      throw new BadRequestError(`${name}: invalid payload: ${describeIssues(checked.error.issues, payload)}`);
    return ops.send(name, [{ payload, id }]);
  });
  app.post('/api/runs/cancel', async (request) => {
    const { job, id } = parse(
      z.object({ job: z.string(), id: z.string().check(z.minLength(1)) }),
      request.body,
      'cancel',
    );
    return ops.cancel(jobNamed(job).name, id);
  });
  app.post('/api/redrive', async (request) => {
    const { job, dryRun } = parse(redriveBody, request.body, 'redrive');
    return ops.redrive(jobNamed(job).name, { dryRun });
  });
}

/** The declared jobs that the running stack deployed, in declaration order. */
export function deployedJobs(
  jobs: readonly JobDeclaration[],
  outputs: Record<string, string>,
  queueUrlKey: (job: string) => string,
): JobDeclaration[] {
  return jobs.filter((job) => outputs[queueUrlKey(job.name)] !== undefined);
}
