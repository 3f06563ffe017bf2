import {
  formatTraceHeader,
  parseTraceHeader,
  TRACE_HEADER_VARIABLE,
  TRACE_LOG_KEY,
} from '../contracts/trace-header.ts';
import type { JobLogger, RuntimeLogger } from './job-context.ts';

/** The trace a run belongs to: its ID, and the header its sends carry so that what they start joins it. */
export interface RunTrace {
  readonly id: string;
  readonly header: string;
}

/**
 * A record's run continues its producer's trace (the message's AWSTraceHeader), so one trace follows a job from
 * its send through every attempt to the jobs it enqueues; a message sent without one starts in the invocation's
 * trace. The Lineage is always the invocation's: Lambda's recursive loop detection counts a chain of invocations
 * with it, and the SDK would send it, in the invocation's header, with any send not given the run's.
 */
export function runTrace(recordHeader: string | undefined, invocationHeader: string | undefined): RunTrace | undefined {
  const invocation = parseTraceHeader(invocationHeader);
  const own = parseTraceHeader(recordHeader) ?? invocation;
  if (!own) return undefined;
  const lineage = invocation?.lineage ?? own.lineage;
  return { id: own.root, header: formatTraceHeader({ ...own, ...(lineage ? { lineage } : {}) }) };
}

interface InvokeStoreGlobal {
  readonly awslambda?: { readonly InvokeStore?: { getXRayTraceId(): string | undefined } };
}

/**
 * The current invocation's trace header on Lambda: from the runtime's invocation store where it keeps one per
 * concurrent invocation, else from `_X_AMZN_TRACE_ID`, which it sets for each invocation.
 */
export function invocationTraceHeader(): string | undefined {
  const store = (globalThis as InvokeStoreGlobal).awslambda?.InvokeStore;
  return store?.getXRayTraceId() ?? process.env[TRACE_HEADER_VARIABLE];
}

/**
 * A logger whose every line, its children's included, carries the run's trace ID under Powertools' own key, in
 * place of the invocation's: a batch holds records of many traces.
 */
export function tracedLogger(logger: RuntimeLogger, trace: RunTrace | undefined): RuntimeLogger {
  if (!trace) return logger;
  const keys = { [TRACE_LOG_KEY]: trace.id };
  let bound: JobLogger | undefined;
  // Made on the first line: most records log once, when they finish.
  const line = (): JobLogger => (bound ??= logger.child(keys));
  return {
    debug: (message, ...extra) => line().debug(message, ...extra),
    info: (message, ...extra) => line().info(message, ...extra),
    warn: (message, ...extra) => line().warn(message, ...extra),
    error: (message, ...extra) => line().error(message, ...extra),
    child: (more) => logger.child({ ...keys, ...more }),
  };
}
