import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseTraceHeader, TRACE_HEADER_ATTRIBUTE } from '@serverless-jobs/runtime/contracts';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The messages' trace headers, by message ID; the oldest are forgotten past `capacity`. */
export class TraceHeaderStore {
  private readonly byMessageId = new Map<string, string>();

  constructor(private readonly capacity = 100_000) {}

  set(messageId: string, header: string): void {
    this.byMessageId.set(messageId, header);
    if (this.byMessageId.size > this.capacity) this.byMessageId.delete(this.byMessageId.keys().next().value!);
  }

  get(messageId: string): string | undefined {
    return this.byMessageId.get(messageId);
  }
}

class InvalidTraceHeader extends Error {}

/** An entry's AWSTraceHeader system attribute; throws for one SQS would refuse. */
function systemAttributeHeader(entry: JsonObject): string | undefined {
  const attributes = entry.MessageSystemAttributes;
  if (!isObject(attributes) || attributes[TRACE_HEADER_ATTRIBUTE] === undefined) return undefined;
  const value = attributes[TRACE_HEADER_ATTRIBUTE];
  const header = isObject(value) && value.DataType === 'String' ? value.StringValue : undefined;
  if (typeof header !== 'string' || !parseTraceHeader(header))
    throw new InvalidTraceHeader(`${TRACE_HEADER_ATTRIBUTE} must be a String holding an X-Ray trace header`);
  return header;
}

const actionOf = (request: FastifyRequest): string =>
  String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');

function wantsTraceHeader(body: JsonObject): boolean {
  const names = [body.MessageSystemAttributeNames, body.AttributeNames].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  return names.includes('All') || names.includes(TRACE_HEADER_ATTRIBUTE);
}

/**
 * fauxqs drops a message's system attributes, and with them its trace. SQS keeps the AWSTraceHeader a send gives
 * (in an entry's MessageSystemAttributes, else the request's X-Amzn-Trace-Id, which the SDK sends inside Lambda)
 * and returns it to a ReceiveMessage that asks for it, also once the message has moved to its DLQ (it keeps its
 * ID). These hooks do the same, keeping the headers in `store`, in memory.
 */
export function keepTraceHeaders(app: FastifyInstance, store: TraceHeaderStore): void {
  /** Per send request: the header of each entry, by entry ID ('' for SendMessage). */
  const pending = new WeakMap<FastifyRequest, Map<string, string>>();

  app.addHook('preHandler', async (request, reply) => {
    const action = actionOf(request);
    const body = request.body;
    if ((action !== 'SendMessage' && action !== 'SendMessageBatch') || !isObject(body)) return;
    const sent = request.headers['x-amzn-trace-id'];
    const fromRequest = typeof sent === 'string' && parseTraceHeader(sent) ? sent : undefined;
    const headers = new Map<string, string>();
    try {
      const entries = action === 'SendMessage' ? [{ ...body, Id: '' }] : body.Entries;
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (!isObject(entry)) continue;
        const header = systemAttributeHeader(entry) ?? fromRequest;
        if (header !== undefined) headers.set(String(entry.Id), header);
      }
    } catch (error) {
      if (!(error instanceof InvalidTraceHeader)) throw error;
      return reply
        .status(400)
        .header('content-type', 'application/x-amz-json-1.0')
        .header('x-amzn-query-error', 'InvalidParameterValue;Sender')
        .send({ __type: 'com.amazonaws.sqs#InvalidParameterValue', message: error.message });
    }
    if (headers.size > 0) pending.set(request, headers);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 || typeof payload !== 'string') return payload;
    const action = actionOf(request);
    const headers = pending.get(request);
    if (headers && (action === 'SendMessage' || action === 'SendMessageBatch')) {
      const output: unknown = JSON.parse(payload);
      if (!isObject(output)) return payload;
      const sent = action === 'SendMessage' ? [{ Id: '', MessageId: output.MessageId }] : output.Successful;
      for (const entry of Array.isArray(sent) ? sent : []) {
        if (!isObject(entry) || typeof entry.MessageId !== 'string') continue;
        const header = headers.get(String(entry.Id));
        if (header !== undefined) store.set(entry.MessageId, header);
      }
      return payload;
    }
    if (action !== 'ReceiveMessage' || !isObject(request.body) || !wantsTraceHeader(request.body)) return payload;
    const output: unknown = JSON.parse(payload);
    if (!isObject(output) || !Array.isArray(output.Messages)) return payload;
    for (const message of output.Messages) {
      if (!isObject(message) || typeof message.MessageId !== 'string') continue;
      const header = store.get(message.MessageId);
      if (header === undefined) continue;
      const attributes = isObject(message.Attributes) ? message.Attributes : {};
      message.Attributes = { ...attributes, [TRACE_HEADER_ATTRIBUTE]: header };
    }
    return JSON.stringify(output);
  });
}
