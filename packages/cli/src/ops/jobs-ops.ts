import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { type CancelAnswer, DynamoDbOccurrenceLedger, SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { type OccurrenceSender, watchedSchedules } from '@serverless-jobs/runtime/schedules';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { peekDeadLetters, redriveByCopy, startMoveTask } from './dead-letters.ts';
import { OpsInputError } from './errors.ts';
import { DEFAULT_MISSED_TOLERANCE_MS } from './health.ts';
import { sendJobs } from './job-sender.ts';
import type {
  DeadLetterView,
  JobsOpsOptions,
  HealthReport,
  JobView,
  QueueCounts,
  RedriveOptions,
  RedriveResult,
  RunsQuery,
  RunView,
  ScheduleRef,
  ScheduleUpdate,
  ScheduleView,
  SendEntry,
  SendResult,
} from './ops-types.ts';
import { queryRuns } from './run-history.ts';
import { type CallbackAnswer, type CallbackOutcome, cancelJob, sendJobCallback } from './durable-executions.ts';
import { contextLines, scheduleView, UPCOMING_OCCURRENCES } from './schedule-views.ts';
import { requireOutput } from './stack-output.ts';
import { backfill, type BackfillRange, type BackfillResult } from './backfill.ts';
import { checkHealth } from './health-check.ts';
import { importLedger, type LedgerImportAnswer } from './ledger-import.ts';
import { assertScheduleChange } from './schedule-change.ts';
import type { DeployContext } from './deploy-context.ts';
import { type DriftReport, scheduleDrift } from './schedule-drift.ts';

export type { JobsOpsOptions } from './ops-types.ts';

const COUNT_ATTRIBUTES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
];

/** Everything an operator does to the jobs, on AWS or under npm start; the CLI and the dashboard are views of it. */
export class JobsOps {
  private readonly target: 'aws' | 'local';
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: JobsOpsOptions) {
    this.target = options.target ?? 'local';
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The declaration of `name`, or an error listing the jobs there are. */
  job(name: string): JobDeclaration {
    const job = this.options.jobs.find((j) => j.name === name);
    if (!job)
      throw new OpsInputError(
        `Unknown job "${name}"; the jobs are: ${this.options.jobs.map((j) => j.name).join(', ')}`,
      );
    return job;
  }

  private output(key: string): string {
    return requireOutput(this.options.outputs, key);
  }

  private now(): Date {
    return new Date(this.options.clock.now());
  }

  /** Now on the schedules' clock, for occurrences (the ledger's run times are on the real one). */
  private scheduleNow(): Date {
    return new Date((this.options.scheduleClock ?? this.options.clock).now());
  }

  /** The schedules `schedule` names, or all of the job's when it is omitted; an error if there are none. */
  scheduleRefs(jobName: string, schedule?: string): ScheduleRef[] {
    const job = this.job(jobName);
    const declared = schedule === undefined ? job.schedules : job.schedules.filter((s) => s.name === schedule);
    if (job.schedules.length === 0)
      throw new OpsInputError(
        `Job "${job.name}" has no schedule; run it with: npx jobs-cli send ${job.name} --data '<payload>'`,
      );
    if (declared.length === 0) {
      throw new OpsInputError(
        `Job "${job.name}" has no schedule "${schedule}"; its schedules are: ` +
          `${job.schedules.map((s) => s.name).join(', ')}`,
      );
    }
    return declared.map((s) => ({
      job: job.name,
      schedule: s.name,
      via: s.via,
      name: this.output(jobOutputKey.schedule(job.name, s.name)),
    }));
  }

  /** Every job, with its schedules as deployed: state, expression, the next occurrences and DST shifts among them. */
  async listJobs(): Promise<JobView[]> {
    const now = this.scheduleNow();
    return Promise.all(
      this.options.jobs.map(async (job) => ({
        name: job.name,
        description: job.description,
        schedules: await Promise.all(
          job.schedules.map(async (s) =>
            scheduleView(
              job.name,
              s,
              await this.options.schedules.describe(this.scheduleRefs(job.name, s.name)[0]!),
              now,
            ),
          ),
        ),
      })),
    );
  }

  /** The next `count` occurrences of each of the job's schedules (or of the one named), with their DST notes. */
  async nextOccurrences(
    jobName: string,
    options: { readonly schedule?: string; readonly count?: number } = {},
  ): Promise<ScheduleView[]> {
    const count = options.count ?? UPCOMING_OCCURRENCES.default;
    if (!Number.isInteger(count) || count < 1 || count > UPCOMING_OCCURRENCES.max) {
      throw new OpsInputError(`count must be a whole number from 1 to ${UPCOMING_OCCURRENCES.max} (given ${count})`);
    }
    const job = this.job(jobName);
    const now = this.scheduleNow();
    return Promise.all(
      this.scheduleRefs(job.name, options.schedule).map(async (ref) =>
        scheduleView(
          job.name,
          job.schedules.find((s) => s.name === ref.schedule)!,
          await this.options.schedules.describe(ref),
          now,
          count,
        ),
      ),
    );
  }

  /** Validates every entry, sends nothing if one is invalid, then sends them all (see `sendJobs`). */
  async send(
    jobName: string,
    entries: readonly SendEntry[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<SendResult> {
    const job = this.job(jobName);
    return sendJobs(job, entries, {
      sqs: this.options.sqs,
      clock: this.options.clock,
      schedules: this.options.schedules,
      queueUrl: this.output(jobOutputKey.queueUrl(job.name)),
      dlqUrl: this.output(jobOutputKey.dlqUrl(job.name)),
      onProgress,
    });
  }

  /** Fires one schedule now (the job's only one when `schedule` is omitted); returns the occurrence it carries. */
  async trigger(
    jobName: string,
    schedule?: string,
  ): Promise<{ readonly ref: ScheduleRef; readonly occurrence: string }> {
    const refs = this.scheduleRefs(jobName, schedule);
    if (refs.length > 1) {
      throw new OpsInputError(
        `Job "${jobName}" has ${refs.length} schedules; name one with --schedule ` +
          `(${refs.map((r) => r.schedule).join(', ')})`,
      );
    }
    const ref = refs[0]!;
    return { ref, occurrence: await this.options.schedules.trigger(ref) };
  }

  async pause(jobName: string, schedule?: string): Promise<ScheduleRef[]> {
    return this.setEnabled(jobName, schedule, false);
  }

  async resume(jobName: string, schedule?: string): Promise<ScheduleRef[]> {
    return this.setEnabled(jobName, schedule, true);
  }

  /**
   * Pauses or resumes, and records the pause in the ledger (`#schedule/<job>/<schedule>`), so the watchdog counts
   * the occurrences in it as paused rather than missed. A pause made outside (the AWS console) is not recorded.
   */
  private async setEnabled(jobName: string, schedule: string | undefined, enabled: boolean): Promise<ScheduleRef[]> {
    const refs = this.scheduleRefs(jobName, schedule);
    const ledger = this.occurrenceLedger();
    const now = this.scheduleNow().getTime();
    for (const ref of refs) {
      await this.options.schedules.setEnabled(ref, enabled);
      await (enabled ? ledger.resume(ref.job, ref.schedule, now) : ledger.pause(ref.job, ref.schedule, now));
    }
    return refs;
  }

  private occurrenceLedger(): DynamoDbOccurrenceLedger {
    return new DynamoDbOccurrenceLedger(this.options.dynamodb, this.output(tableOutputKey('Ledger')));
  }

  /**
   * Enqueues every occurrence of the job's schedules (or the one named) in a past range, each at most once
   * under its own job ID; a dry run lists them. See `backfill`.
   */
  async backfill(jobName: string, range: BackfillRange & { readonly schedule?: string }): Promise<BackfillResult> {
    const job = this.job(jobName);
    this.scheduleRefs(job.name, range.schedule);
    const schedules = watchedSchedules([job]).filter(
      (s) => range.schedule === undefined || s.schedule === range.schedule,
    );
    const queue = new SqsJobQueue(this.options.sqs, {
      ownQueueUrl: this.output(jobOutputKey.queueUrl(job.name)),
      deadLetterQueueUrl: this.output(jobOutputKey.dlqUrl(job.name)),
      queueUrlOf: (target) => this.output(jobOutputKey.queueUrl(target)),
      now: () => this.options.clock.now(),
    });
    const sender: OccurrenceSender = {
      ledger: this.occurrenceLedger(),
      send: (target, jobs) => queue.send(target, jobs),
      recordedAt: () => this.options.clock.now(),
    };
    return backfill(schedules, sender, range, this.scheduleNow().getTime());
  }

  /**
   * Changes a schedule where it runs now, and returns the cdk.json context lines without which a deploy that
   * changes the schedule's template puts the declared one back. The time zone is kept when omitted.
   */
  async updateSchedule(
    jobName: string,
    expression: string,
    options: { readonly timeZone?: string; readonly schedule?: string } = {},
  ): Promise<ScheduleUpdate> {
    const job = this.job(jobName);
    const refs = this.scheduleRefs(job.name, options.schedule);
    if (refs.length > 1)
      throw new OpsInputError(
        `Job "${job.name}" has ${refs.length} schedules; name one with --schedule ` +
          `(${refs.map((r) => r.schedule).join(', ')})`,
      );
    const ref = refs[0]!;
    const before = await this.options.schedules.describe(ref);
    const timeZone = options.timeZone ?? before.timeZone;
    assertScheduleChange(job.name, ref, expression, timeZone);
    await this.options.schedules.update(ref, expression, timeZone);
    // The watchdog checks the schedule as it runs now, not as it was synthesized (until a deploy shows otherwise).
    await this.occurrenceLedger().recordChange(job.name, ref.schedule, {
      expression,
      timeZone,
      replaces: { expression: before.expression, timeZone: before.timeZone },
      since: this.scheduleNow().getTime(),
    });
    const declared = job.schedules.find((s) => s.name === ref.schedule)!;
    const view = scheduleView(job.name, declared, { state: 'ENABLED', expression, timeZone }, this.scheduleNow());
    return {
      job: job.name,
      schedule: ref.schedule,
      expression,
      timeZone,
      contextLines: contextLines(job, ref.schedule, expression, timeZone),
      driftWarning:
        `The schedule runs on ${expression} (${timeZone}) from now on, but the app still declares ` +
        `${declared.expression} (${declared.timeZone}): a cdk deploy that changes this schedule's template puts ` +
        'that back (see jobs-cli drift) unless the context of cdk.json has these lines (or pass them with -c):',
      next: view.next,
    };
  }

  /** Each schedule (of `job`, or all) as it runs beside its declaration with the deploy context: see scheduleDrift. */
  drift(context: DeployContext, job?: string): Promise<DriftReport> {
    if (job !== undefined) this.job(job);
    const { jobs, schedules, template } = this.options;
    const refOf = (name: string, schedule: string) => this.scheduleRefs(name, schedule)[0]!;
    const describe = (ref: ScheduleRef) => schedules.describe(ref);
    return scheduleDrift({ jobs, context, target: this.target, refOf, describe, ...(template && { template }) }, job);
  }

  /** A job's runs, newest first. */
  async runs(jobName: string, query: RunsQuery = {}): Promise<RunView[]> {
    const job = this.job(jobName);
    return queryRuns(this.options.dynamodb, this.output(tableOutputKey('Ledger')), job.name, query);
  }

  /** Cancels a run that has not finished, and ends a durable run's execution (see cancelJob). */
  cancel(jobName: string, jobId: string): Promise<CancelAnswer> {
    return cancelJob(this.options, this.output(tableOutputKey('Ledger')), this.job(jobName), jobId);
  }

  /** Completes the callback a durable run waits for, with data or as a failure. */
  callback(jobName: string, jobId: string, outcome: CallbackOutcome): Promise<CallbackAnswer> {
    return sendJobCallback(this.options, this.output(tableOutputKey('Ledger')), this.job(jobName), jobId, outcome);
  }

  /** Copies the runs of a ledger of the old layout (key `<job>/<job ID>`, index `byJob`) into this stack's ledger. */
  importLedger(from: string): Promise<LedgerImportAnswer> {
    return importLedger(this.options.dynamodb, from, this.output(tableOutputKey('Ledger')));
  }

  /** Visible, in-flight and delayed messages of the job's queue, and of its DLQ. */
  async queueCounts(jobName: string): Promise<QueueCounts> {
    const job = this.job(jobName);
    const [queue, dlq] = await Promise.all(
      [jobOutputKey.queueUrl(job.name), jobOutputKey.dlqUrl(job.name)].map(async (key) => {
        const { Attributes = {} } = await this.options.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: this.output(key), AttributeNames: COUNT_ATTRIBUTES }),
        );
        return (name: QueueAttributeName) => Number(Attributes[name] ?? 0);
      }),
    );
    return {
      job: job.name,
      visible: queue!('ApproximateNumberOfMessages'),
      inFlight: queue!('ApproximateNumberOfMessagesNotVisible'),
      delayed: queue!('ApproximateNumberOfMessagesDelayed'),
      dlqVisible: dlq!('ApproximateNumberOfMessages'),
      dlqInFlight: dlq!('ApproximateNumberOfMessagesNotVisible'),
    };
  }

  /** Up to `count` dead letters with their reason and attempts; nothing is deleted. */
  async peekDlq(jobName: string, count: number): Promise<DeadLetterView[]> {
    const job = this.job(jobName);
    if (!Number.isInteger(count) || count < 1)
      throw new OpsInputError(`peek must be a whole number of at least 1 (given ${count})`);
    return peekDeadLetters(this.options.sqs, this.output(jobOutputKey.dlqUrl(job.name)), count);
  }

  /**
   * Moves the DLQ back to the job's queue with every message attribute (the dead fence lets the runtime claim
   * the DEAD run once more). On AWS, a whole DLQ goes through StartMessageMoveTask; otherwise, and for a
   * filter or a dry run, by receive, send, then delete.
   */
  async redrive(jobName: string, options: RedriveOptions = {}): Promise<RedriveResult> {
    const job = this.job(jobName);
    if (options.rate !== undefined && !(options.rate > 0))
      throw new OpsInputError(`rate must be a positive number of messages per second (given ${options.rate})`);
    const dryRun = options.dryRun ?? false;
    if (this.target === 'aws' && !dryRun && (options.filter ?? '') === '') {
      const { dlqVisible } = await this.queueCounts(job.name);
      const handle = await startMoveTask(
        this.options.sqs,
        this.output(jobOutputKey.dlqArn(job.name)),
        this.output(jobOutputKey.queueArn(job.name)),
        options.rate,
      );
      const none = { moved: [], skipped: 0, failedAgain: 0, arrivedMeanwhile: 0 };
      return { job: job.name, dryRun, ...none, moveTaskHandle: handle, approximateCount: dlqVisible };
    }
    const tally = await redriveByCopy(this.options.sqs, {
      ...options,
      dlqUrl: this.output(jobOutputKey.dlqUrl(job.name)),
      queueUrl: this.output(jobOutputKey.queueUrl(job.name)),
      now: () => this.options.clock.now(),
      sleep: this.sleep,
    });
    return { job: job.name, dryRun, ...tally };
  }

  /** Healthy, Degraded or Unhealthy, per job and overall, over the last `windowMs`. */
  async health(windowMs: number): Promise<HealthReport> {
    if (!(windowMs > 0)) throw new OpsInputError(`window must be a positive duration (given ${windowMs} ms)`);
    const { options } = this;
    return checkHealth(
      {
        jobs: options.jobs,
        dynamodb: options.dynamodb,
        ledgerTable: () => this.output(tableOutputKey('Ledger')),
        queueUrl: (job) => this.output(jobOutputKey.queueUrl(job)),
        queueCounts: (job) => this.queueCounts(job),
        ...(options.messageAge ? { messageAge: options.messageAge } : {}),
        schedules: options.schedules,
        scheduleRef: (job, schedule) => this.scheduleRefs(job, schedule)[0]!,
        occurrences: () => this.occurrenceLedger(),
        now: this.now(),
        scheduleNow: this.scheduleNow(),
        missedToleranceMs: options.missedToleranceMs ?? DEFAULT_MISSED_TOLERANCE_MS,
      },
      windowMs,
    );
  }
}
