/** Base of every error the job runtime raises on purpose. */
export class JobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobError';
  }
}

/** A failure that no retry can fix: the run is marked DEAD and the message copied to the DLQ with the reason. */
export class PermanentJobError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** The payload does not match the job's schema; permanent. */
export class PayloadValidationError extends PermanentJobError {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadValidationError';
  }
}

/** Matches on `name` as well as `instanceof`, so an error from another bundle copy still counts (as BullMQ does). */
export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentJobError) return true;
  return error instanceof Error && (error.name === 'PermanentJobError' || error.name === 'PayloadValidationError');
}
