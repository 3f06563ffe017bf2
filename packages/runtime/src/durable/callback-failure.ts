/**
 * Whether `waitForCallback` ended without data: it timed out, or the callback was sent as a failure
 * (`jobs callback … --fail`, or a cancel of the run while it waited).
 */
export function isCallbackFailure(error: unknown): boolean {
  // Every CallbackError of the SDK carries such an errorType; checked by name, so that a job's module
  // (which its starter loads too) need not load the SDK.
  const type = (error as { errorType?: unknown } | undefined)?.errorType;
  return typeof type === 'string' && type.startsWith('Callback');
}
