/**
 * The X-Ray trace header, as Lambda sets it for an invocation (`_X_AMZN_TRACE_ID`) and SQS carries it on a
 * message (the `AWSTraceHeader` system attribute):
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`, and on Lambda a `Lineage`
 * that its recursive loop detection counts with.
 */
export interface TraceHeader {
  /** The trace ID: `1-<epoch seconds, 8 hex digits>-<24 hex digits>`. */
  readonly root: string;
  readonly parent?: string;
  readonly sampled?: string;
  readonly lineage?: string;
}

/** The SQS message system attribute that carries a message's trace header. */
export const TRACE_HEADER_ATTRIBUTE = 'AWSTraceHeader';
/** The variable in which Lambda hands an invocation its trace header. */
export const TRACE_HEADER_VARIABLE = '_X_AMZN_TRACE_ID';
/** The log key of the trace ID; Powertools Logger writes the invocation's under it, the runtime a run's. */
export const TRACE_LOG_KEY = 'xray_trace_id';

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** A trace ID from its start time and 24 hex digits (96 random bits, or a digest). */
export function traceRoot(epochMillis: number, hex24: string): string {
  const seconds = Math.floor(epochMillis / 1000) >>> 0;
  return `1-${seconds.toString(16).padStart(8, '0')}-${hex24.toLowerCase()}`;
}

/** Reads a trace header; undefined when there is none or it has no valid Root. Never throws. */
export function parseTraceHeader(value: string | undefined): TraceHeader | undefined {
  if (!value) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const root = fields.get('Root');
  if (root === undefined || !ROOT.test(root)) return undefined;
  const parent = fields.get('Parent');
  const sampled = fields.get('Sampled');
  const lineage = fields.get('Lineage');
  return {
    root,
    ...(parent !== undefined && SEGMENT_ID.test(parent) ? { parent } : {}),
    ...(sampled ? { sampled } : {}),
    ...(lineage ? { lineage } : {}),
  };
}

export function formatTraceHeader(header: TraceHeader): string {
  const parts = [`Root=${header.root}`];
  if (header.parent) parts.push(`Parent=${header.parent}`);
  if (header.sampled) parts.push(`Sampled=${header.sampled}`);
  if (header.lineage) parts.push(`Lineage=${header.lineage}`);
  return parts.join(';');
}
