/** Visibility timeout ≥ this × (function timeout + batching window), as AWS advises for SQS event sources. */
export const VISIBILITY_FACTOR = 6;

/**
 * SQS's maxReceiveCount sits this far above the job's attempts: a net for crashes and throttles, not the retry policy.
 */
export const RECEIVE_COUNT_MARGIN = 5;
