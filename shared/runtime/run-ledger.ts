/** Status of one run in the ledger. */
export const RunStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  DEAD: 'DEAD',
  SKIPPED: 'SKIPPED',
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
}

export type ClaimResult =
  | { readonly outcome: 'claimed'; readonly attempt: number; readonly fence: number; readonly checkpoint?: unknown }
  | { readonly outcome: 'duplicate'; readonly status: RunStatus }
  | { readonly outcome: 'busy'; readonly leaseExpiresAt: number };

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

/**
 * The run ledger: one item per run, keyed by job and job ID. Writes after the claim are fenced:
 * they succeed only while the writer still holds the run's latest fence, and return false otherwise.
 */
export interface RunLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  succeed(completion: RunCompletion): Promise<boolean>;
  fail(key: RunKey, fence: number, failure: RunFailure): Promise<boolean>;
  /** Marks the run DEAD; a redrive of the DLQ copy that carries this fence may claim it again. */
  kill(key: RunKey, fence: number, failure: RunFailure): Promise<boolean>;
  /** Records a message that never became a run (bad payload), as DEAD with fence REJECTED_FENCE, without a claim. */
  reject(key: RunKey, failure: RunFailure & { readonly expiresAt: number }): Promise<void>;
  checkpoint(key: RunKey, fence: number, state: unknown): Promise<boolean>;
}

/** The run lost its lease to another delivery; its result must not be written. */
export class LeaseLostError extends Error {
  constructor(key: RunKey) {
    super(`Run ${key.job}/${key.id} lost its lease to another delivery`);
    this.name = 'LeaseLostError';
  }
}
