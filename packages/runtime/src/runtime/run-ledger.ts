/** Status of one run in the ledger. */
export const RunStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  DEAD: 'DEAD',
  SKIPPED: 'SKIPPED',
  /** Known but not running yet: enqueued by catch-up or backfill, or waiting behind a run (`bufferOne`). Claimable. */
  PENDING: 'PENDING',
  /** Cancelled by an operator (`jobs cancel`): never claimed again, never retried or dead-lettered. */
  CANCELLED: 'CANCELLED',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

export interface RunKey {
  readonly job: string;
  readonly id: string;
}

export interface ScheduledOccurrence {
  readonly schedule: string;
  /** ISO time the occurrence was due. */
  readonly time: string;
  readonly timeZone: string;
}

export interface ClaimRequest {
  readonly key: RunKey;
  readonly now: number;
  readonly leaseExpiresAt: number;
  readonly expiresAt: number;
  readonly enqueuedAt?: number;
  readonly occurrence?: ScheduledOccurrence;
  /** Present when the message was redriven from the DLQ: the fence its DEAD record carries. */
  readonly redriveOfFence?: number;
  /** The X-Ray trace ID of this attempt, written over the last attempt's. */
  readonly traceId?: string;
  /**
   * The message's first receive, so its run most likely has no item yet: the ledger may claim it with an insert,
   * together with its batch's other first claims. A later receive is claimed alone, as it finds its run's item.
   */
  readonly firstDelivery?: boolean;
}

export type ClaimResult =
  | {
      readonly outcome: 'claimed';
      readonly attempt: number;
      readonly fence: number;
      readonly checkpoint?: unknown;
      /** How many times the run was redriven from the DLQ. */
      readonly redrives?: number;
    }
  | { readonly outcome: 'duplicate'; readonly status: RunStatus }
  | {
      readonly outcome: 'busy';
      readonly leaseExpiresAt: number;
      /** The run belongs to a durable execution already (handed over): the message has done its part. */
      readonly handedOver?: boolean;
    };

/** The fence of a message rejected before it became a run; a redrive of its DLQ copy may claim it. */
export const REJECTED_FENCE = 0;

/** What a run's completion writes; a domain adapter may commit it inside its own transaction. */
export interface RunCompletion {
  readonly key: RunKey;
  readonly fence: number;
  readonly finishedAt: number;
  readonly durationMs: number;
}

export interface RunFailure {
  readonly now: number;
  readonly error: string;
  readonly retryAt?: number;
}

/** A message refused before it became a run. */
export interface RunRejection extends RunFailure {
  readonly expiresAt: number;
  readonly traceId?: string;
}

/** How far a running run has got, as its job reported it with `ctx.progress`. */
export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly note?: string;
  /** Epoch ms of the report. */
  readonly at: number;
}

/**
 * The run ledger: one item per run, keyed by job and job ID. Writes after the claim are fenced:
 * they succeed only while the writer still holds the run's latest fence, and return false otherwise; they throw
 * RunCancelledError when an operator cancelled the run meanwhile.
 */
export interface RunLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  succeed(completion: RunCompletion): Promise<boolean>;
  fail(key: RunKey, fence: number, failure: RunFailure): Promise<boolean>;
  /** Marks the run DEAD; a redrive of the DLQ copy that carries this fence may claim it again. */
  kill(key: RunKey, fence: number, failure: RunFailure): Promise<boolean>;
  /**
   * Records a message that never became a run (bad payload), as DEAD with fence REJECTED_FENCE, without a claim;
   * when a run with its ID exists already, leaves it as it is and returns its status.
   */
  reject(key: RunKey, failure: RunRejection): Promise<RunStatus | undefined>;
  checkpoint(key: RunKey, fence: number, state: unknown): Promise<boolean>;
  /** Records the running run's progress; fenced, and false once the run is no longer this attempt's. */
  progress(key: RunKey, fence: number, progress: RunProgress): Promise<boolean>;
  /** Whether this attempt still holds the run: a fenced write of `updatedAt`, before a step that cannot be undone. */
  holds(key: RunKey, fence: number, now: number): Promise<boolean>;
  /** Marks the claimed run SKIPPED with the reason (overlap); fenced like the other finishing writes. */
  skip(key: RunKey, fence: number, at: { readonly now: number; readonly reason: string }): Promise<boolean>;
  /** Hands the claimed run back as PENDING, the attempt not spent, to be claimed again (bufferOne). */
  wait(key: RunKey, fence: number, at: { readonly now: number; readonly reason: string }): Promise<boolean>;
  /** Counts one more delivery of a scheduled occurrence that already has a run (the watchdog reports it). */
  countDuplicate(key: RunKey, now: number): Promise<void>;
  /** The schedules' leases (overlap policy), in the same table. */
  readonly leases: ScheduleLeases;
}

export interface LeaseRequest {
  readonly job: string;
  readonly schedule: string;
  /** The occurrence's job ID. */
  readonly holder: string;
  readonly now: number;
  /** Epoch ms after which the lease no longer blocks (a crashed run). */
  readonly expiresAt: number;
}

export type LeaseAnswer =
  | { readonly acquired: true; readonly token: number }
  | { readonly acquired: false; readonly holder?: string; readonly expiresAt?: number; readonly buffered?: string };

/**
 * One lease per schedule, with a fencing token that grows with every acquisition: a run of a schedule with
 * `overlap: skip | bufferOne` holds it while RUNNING. A release with a stale token changes nothing.
 */
export interface ScheduleLeases {
  /** Taken when free, expired, or already this holder's; while an occurrence is buffered, only that one may take it. */
  acquire(request: LeaseRequest): Promise<LeaseAnswer>;
  /** Takes the one buffered place behind the holder, until `expiresAt`; false when another occurrence has it. */
  buffer(request: LeaseRequest): Promise<boolean>;
  release(request: {
    readonly job: string;
    readonly schedule: string;
    readonly holder: string;
    readonly token: number;
  }): Promise<void>;
}

/** The run lost its lease to another delivery; its result must not be written. */
export class LeaseLostError extends Error {
  constructor(key: RunKey, message = `Run ${key.job}/${key.id} lost its lease to another delivery`) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** The run was cancelled while it ran: the attempt stops at the write that found it, as one that lost its lease. */
export class RunCancelledError extends LeaseLostError {
  constructor(key: RunKey) {
    super(key, `Run ${key.job}/${key.id} was cancelled`);
    this.name = 'RunCancelledError';
  }
}
