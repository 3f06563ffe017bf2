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
