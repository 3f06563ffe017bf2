/**
 * What an operator sees and does, whether the jobs run on AWS or under `npm start`. The `jobs` CLI and the
 * local dashboard both work through these types; only schedule control differs between the two targets.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DstNote } from '@serverless-jobs/runtime/cron';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { Clock, RunStatus } from '@serverless-jobs/runtime/runtime';
import type { MessageAgeSource } from './message-age.ts';

export interface ScheduleView {
  readonly job: string;
  readonly name: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly via: 'scheduler' | 'rule';
  readonly state: 'ENABLED' | 'DISABLED';
  /** The next occurrences that fire, ISO in UTC. */
  readonly next: readonly string[];
  /**
   * The next occurrences one by one: when (ISO in UTC), the local wall time the expression named, and how a
   * DST change touches it. A `gap-skipped` one is listed although it does not fire.
   */
  readonly upcoming: readonly { readonly at: string; readonly local: string; readonly dst?: DstNote }[];
  /**
   * Human notes on daylight-saving shifts among the next occurrences, e.g. "2027-03-28: Europe/Berlin moves to UTC+2".
   */
  readonly dstShifts: readonly string[];
}

export interface JobView {
  readonly name: string;
  readonly description: string;
  readonly schedules: readonly ScheduleView[];
}

export interface QueueCounts {
  readonly job: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dlqVisible: number;
  readonly dlqInFlight: number;
}

export interface RunView {
  readonly job: string;
  readonly id: string;
  readonly status: RunStatus;
  readonly attempt: number;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly lastError?: string;
  /** Why a run is SKIPPED or PENDING (overlap, catch-up, backfill). */
  readonly reason?: string;
  readonly schedule?: string;
  readonly occurrence?: string;
  /** The X-Ray trace ID of its latest attempt; the same ID is on that attempt's log lines. */
  readonly traceId?: string;
  /** What the job last reported with `ctx.progress`. */
  readonly progress?: { readonly done: number; readonly total: number; readonly note?: string; readonly at: string };
  /** A durable run waiting for a callback: `waiting for callback "payment" since … (jobs-cli callback)`. */
  readonly waitingFor?: string;
  /** The ID of that callback, for the Lambda API's SendDurableExecutionCallback* (the AWS CLI, say). */
  readonly callbackId?: string;
}

export interface DeadLetterView {
  readonly messageId: string;
  readonly jobId: string;
  readonly reason: string;
  readonly attempts: number;
  readonly deadAt?: string;
  readonly body: string;
}

export type HealthState = 'Healthy' | 'Degraded' | 'Unhealthy';

export interface JobHealth {
  readonly job: string;
  readonly state: HealthState;
  readonly lastSuccess?: string;
  readonly nextOccurrence?: string;
  readonly failuresInWindow: number;
  readonly dlqDepth: number;
  readonly oldestMessageAgeSeconds?: number;
  /** Why the state is not Healthy, one sentence each. */
  readonly reasons: readonly string[];
}

export interface HealthReport {
  readonly state: HealthState;
  readonly checkedAt: string;
  readonly jobs: readonly JobHealth[];
}

/** Exit code of `jobs health`: 0 Healthy, 1 Degraded, 2 Unhealthy. */
export const HEALTH_EXIT_CODE: Readonly<Record<HealthState, number>> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };

/** One declared schedule, as the operator addresses it, with the physical name the stack gave it. */
export interface ScheduleRef {
  readonly job: string;
  readonly schedule: string;
  readonly via: 'scheduler' | 'rule';
  /** The EventBridge Scheduler schedule name or the rule name (stack output `Schedule<Job><Schedule>`). */
  readonly name: string;
}

/** A schedule as it is deployed (or running locally) now, which may have drifted from its declaration. */
export interface DeployedSchedule {
  readonly state: 'ENABLED' | 'DISABLED';
  readonly expression: string;
  readonly timeZone: string;
  /** When the schedule last changed (created, updated, resumed), if known; occurrences before it cannot be missed. */
  readonly activeSince?: string;
  /** Where a rate schedule counts from (ISO), if known: occurrences are anchor + k × rate. */
  readonly rateAnchor?: string;
}

/**
 * The one thing that differs between AWS (EventBridge Scheduler and rules) and `npm start` (its control API):
 * reading and changing a schedule, firing it now, and one-time delayed sends.
 */
export interface ScheduleControl {
  describe(ref: ScheduleRef): Promise<DeployedSchedule>;
  setEnabled(ref: ScheduleRef, enabled: boolean): Promise<void>;
  /** Sends the schedule's message now; returns the occurrence time it carries. */
  trigger(ref: ScheduleRef): Promise<string>;
  update(ref: ScheduleRef, expression: string, timeZone: string): Promise<void>;
  /** Delivers `body` to the job's queue at `at` (for delays beyond SQS's 900 s); returns what was created. */
  sendAt(job: string, body: string, at: Date): Promise<string>;
}

export interface SendEntry {
  /** @default a random UUID */
  readonly id?: string;
  readonly payload: unknown;
  /** 0 to 900 goes through SQS DelaySeconds; more through a one-time schedule. @default 0 */
  readonly delaySeconds?: number;
}

export interface SendResult {
  readonly job: string;
  readonly ids: readonly string[];
  /** Entries sent straight to the queue (with or without DelaySeconds). */
  readonly queued: number;
  /** One-time schedules created for entries delayed beyond 900 s. */
  readonly scheduled: readonly string[];
}

export interface RunsQuery {
  readonly statuses?: readonly RunStatus[];
  /** ISO time; runs created before it are left out. */
  readonly since?: string;
  /** @default 20 */
  readonly limit?: number;
}

export interface RedriveOptions {
  readonly dryRun?: boolean;
  /** Messages per second. @default unlimited (as fast as SQS takes them) */
  readonly rate?: number;
  /** A substring of the reason or job ID, or `reason=<substring>` / `jobId=<substring>`. */
  readonly filter?: string;
}

export interface RedriveResult {
  readonly job: string;
  readonly dryRun: boolean;
  /** The messages moved (or, in a dry run, that would move). Empty when a move task did the work. */
  readonly moved: readonly DeadLetterView[];
  /** Messages left in the DLQ because the filter did not match them; 0 without a filter. */
  readonly skipped: number;
  /** Moved messages that came back to the DLQ while the redrive ran: they failed again. Left there. */
  readonly failedAgain: number;
  /** Other messages that reached the DLQ while the redrive ran; left for the next one. */
  readonly arrivedMeanwhile: number;
  /** The StartMessageMoveTask handle, when SQS moves the messages itself (AWS, no filter). */
  readonly moveTaskHandle?: string;
  /** ApproximateNumberOfMessages of the DLQ when a move task started. */
  readonly approximateCount?: number;
}

export interface ScheduleUpdate {
  readonly job: string;
  readonly schedule: string;
  readonly expression: string;
  readonly timeZone: string;
  /** `"schedule.cleanup": "cron(0 3 * * ? *)"`, ready for the context of cdk.json. */
  readonly contextLines: readonly string[];
  /** Why the change will not survive the next deploy unless the context lines are added. */
  readonly driftWarning: string;
  readonly next: readonly string[];
}

/** What JobsOps works with: the clients, the stack's outputs and the declarations. */
export interface JobsOpsOptions {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** Stack outputs (`QueueUrlSendEmail`, `TableLedger`, …), resolved to local values under npm start. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The declarations, normally `allJobs`. */
  readonly jobs: readonly JobDeclaration[];
  readonly clock: Clock;
  /** The clock the schedules run on: npm start's virtual clock may run ahead or faster. @default clock */
  readonly scheduleClock?: Clock;
  readonly schedules: ScheduleControl;
  /** `aws` redrives a whole DLQ with StartMessageMoveTask, which fauxqs lacks. @default 'local' */
  readonly target?: 'aws' | 'local';
  /** Oldest message age per queue (CloudWatch on AWS). @default unknown */
  readonly messageAge?: MessageAgeSource;
  /** How late an occurrence's run may be before it counts as missed. @default 15 minutes */
  readonly missedToleranceMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The body of the stack's last deployed template (AWS), to tell what the next deploy does. @default none */
  readonly template?: () => Promise<string>;
  /** Durable executions: their callbacks, and their stop when a run is cancelled. @default none */
  readonly lambda?: LambdaClient;
}
