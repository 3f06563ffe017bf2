import { createHash, randomBytes } from 'node:crypto';
import { formatTraceHeader, traceRoot } from '@serverless-jobs/runtime/contracts';

/**
 * A new trace, as Lambda starts one for an invocation. Not sampled: no X-Ray daemon records anything here, and
 * the runtime needs only the IDs.
 */
export function newTraceHeader(now = Date.now()): string {
  return formatTraceHeader({
    root: traceRoot(now, randomBytes(12).toString('hex')),
    parent: randomBytes(8).toString('hex'),
    sampled: '0',
  });
}

/**
 * The trace of a message sent without one: a root of its own, made from its message ID, so that every delivery
 * of it, and so every attempt of its run, is in the same trace.
 */
export function messageTraceHeader(messageId: string, sentAt: number): string {
  const digest = createHash('sha256').update(messageId).digest('hex').slice(0, 24);
  return formatTraceHeader({ root: traceRoot(sentAt, digest), sampled: '0' });
}
