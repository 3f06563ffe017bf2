/** Base of every error the ops core throws on purpose; the CLI prints its message as one line. */
export class OpsError extends Error {
  override readonly name: string = 'OpsError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The operator gave a value that cannot work (unknown job, invalid payload, bad expression); names it and quotes it.
 */
export class OpsInputError extends OpsError {
  override readonly name: string = 'OpsInputError';
}

/** The target lacks something the operation needs (a stack output, the local control API, a scheduler role). */
export class OpsTargetError extends OpsError {
  override readonly name: string = 'OpsTargetError';
}

/**
 * Nothing to talk to: no running npm start, or an AWS stack that cannot be read. The CLI exits 3, so a script
 * (or `health`, whose 1 and 2 mean Degraded and Unhealthy) can tell "nothing answered" from an answer.
 */
export class OpsUnreachableError extends OpsTargetError {
  override readonly name: string = 'OpsUnreachableError';
  /** Why, in a few words, for a message that puts it after its own (`ServerlessJobs-dev: Region is missing`). */
  readonly detail: string;

  constructor(message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.detail = options?.detail ?? message;
  }
}
