const MAX_REASON = 2000;

/**
 * What a durable run's DLQ copy and ledger item say it died of. The SDK wraps what a step threw in a StepError
 * with the same message, and names its errors after their class, which a minified bundle renames ("Te"): so the
 * wrapper's `errorType` stands for its name, and a wrapper that only repeats its cause gives way to it.
 */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_REASON);
  const type = (error as { errorType?: unknown }).errorType;
  const name = typeof type === 'string' ? type : error.name;
  const cause = error.cause;
  if (!(cause instanceof Error)) return `${name}: ${error.message}`.slice(0, MAX_REASON);
  if (cause.message === error.message) return `${cause.name}: ${cause.message}`.slice(0, MAX_REASON);
  return `${name}: ${error.message} (${cause.name}: ${cause.message})`.slice(0, MAX_REASON);
}
