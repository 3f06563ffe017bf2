import type { FastifyInstance } from 'fastify';
import { parseTraceHeader, TRACE_HEADER_ATTRIBUTE } from '@serverless-jobs/runtime/contracts';
import {
  InvalidParameterError,
  isObject,
  type JsonObject,
  keepSystemAttribute,
  MessageIdStore,
} from './sqs-system-attributes.ts';

/** The messages' trace headers, by message ID; the oldest are forgotten past its capacity. */
export class TraceHeaderStore extends MessageIdStore {}

/** An entry's AWSTraceHeader system attribute; throws for one SQS would refuse. */
function systemAttributeHeader(entry: JsonObject): string | undefined {
  const attributes = entry.MessageSystemAttributes;
  if (!isObject(attributes) || attributes[TRACE_HEADER_ATTRIBUTE] === undefined) return undefined;
  const value = attributes[TRACE_HEADER_ATTRIBUTE];
  const header = isObject(value) && value.DataType === 'String' ? value.StringValue : undefined;
  if (typeof header !== 'string' || !parseTraceHeader(header))
    throw new InvalidParameterError(`${TRACE_HEADER_ATTRIBUTE} must be a String holding an X-Ray trace header`);
  return header;
}

/**
 * fauxqs drops a message's system attributes, and with them its trace. SQS keeps the AWSTraceHeader a send gives
 * (in an entry's MessageSystemAttributes, else the request's X-Amzn-Trace-Id, which the SDK sends inside Lambda)
 * and returns it to a ReceiveMessage that asks for it, also once the message has moved to its DLQ (it keeps its
 * ID). These hooks do the same, keeping the headers in `store`, in memory.
 */
export function keepTraceHeaders(app: FastifyInstance, store: TraceHeaderStore): void {
  keepSystemAttribute(app, TRACE_HEADER_ATTRIBUTE, store, (entry, request) => {
    const sent = request.headers['x-amzn-trace-id'];
    return systemAttributeHeader(entry) ?? (typeof sent === 'string' && parseTraceHeader(sent) ? sent : undefined);
  });
}
