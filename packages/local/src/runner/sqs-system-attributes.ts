import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * What the hooks that keep the system attributes fauxqs drops (AWSTraceHeader, MessageGroupId) share: reading a
 * send's entries, pairing them with the message IDs of the reply, and adding an attribute to a receive's reply.
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A value kept per message ID (a trace header, a group); the oldest are forgotten past `capacity`. */
export class MessageIdStore {
  private readonly byMessageId = new Map<string, string>();

  constructor(private readonly capacity = 100_000) {}

  set(messageId: string, value: string): void {
    this.byMessageId.set(messageId, value);
    if (this.byMessageId.size > this.capacity) this.byMessageId.delete(this.byMessageId.keys().next().value!);
  }

  get(messageId: string): string | undefined {
    return this.byMessageId.get(messageId);
  }

  get size(): number {
    return this.byMessageId.size;
  }
}

/** The SQS action of a JSON protocol request: `SendMessage`, `ReceiveMessage`, … */
export const sqsAction = (request: FastifyRequest): string =>
  String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');

const isSend = (action: string): boolean => action === 'SendMessage' || action === 'SendMessageBatch';

/** A send's entries, SendMessage's body standing as the one entry with ID ''; none for another action. */
function sendEntries(action: string, body: unknown): JsonObject[] {
  if (!isSend(action) || !isObject(body)) return [];
  const entries = action === 'SendMessage' ? [{ ...body, Id: '' }] : body.Entries;
  return (Array.isArray(entries) ? entries : []).filter(isObject);
}

/** Whether a ReceiveMessage asks for the system attribute `name` (or All). */
function asksFor(body: unknown, name: string): boolean {
  if (!isObject(body)) return false;
  const names = [body.MessageSystemAttributeNames, body.AttributeNames].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  return names.includes('All') || names.includes(name);
}

/** From a send's reply: the message ID SQS gave each entry it took, by entry ID. */
function sentMessageIds(action: string, payload: string): Map<string, string> {
  const ids = new Map<string, string>();
  if (!isSend(action)) return ids;
  const output: unknown = JSON.parse(payload);
  if (!isObject(output)) return ids;
  const sent = action === 'SendMessage' ? [{ Id: '', MessageId: output.MessageId }] : output.Successful;
  for (const entry of Array.isArray(sent) ? sent : []) {
    if (isObject(entry) && typeof entry.MessageId === 'string') ids.set(String(entry.Id), entry.MessageId);
  }
  return ids;
}

/** A ReceiveMessage reply with the system attribute `name` on each message `kept` has a value for. */
function withSystemAttribute(payload: string, name: string, kept: (messageId: string) => string | undefined): string {
  const output: unknown = JSON.parse(payload);
  if (!isObject(output) || !Array.isArray(output.Messages)) return payload;
  for (const message of output.Messages) {
    if (!isObject(message) || typeof message.MessageId !== 'string') continue;
    const value = kept(message.MessageId);
    if (value === undefined) continue;
    message.Attributes = { ...(isObject(message.Attributes) ? message.Attributes : {}), [name]: value };
  }
  return JSON.stringify(output);
}

/** SQS's answer to a parameter it refuses, in its JSON protocol. */
function refuseParameter(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .status(400)
    .header('content-type', 'application/x-amz-json-1.0')
    .header('x-amzn-query-error', 'InvalidParameterValue;Sender')
    .send({ __type: 'com.amazonaws.sqs#InvalidParameterValue', message });
}

/** Thrown by a `read` of keepSystemAttribute for a value SQS would refuse: the send is refused with its message. */
export class InvalidParameterError extends Error {}

/**
 * Hooks that keep one system attribute `name` fauxqs drops: `read` gives a send entry's value (or throws
 * InvalidParameterError, and the send is refused as SQS would); once SQS took the entry, its value is kept in
 * `store` under the new message ID, and given back to each ReceiveMessage that asks for `name`.
 */
export function keepSystemAttribute(
  app: FastifyInstance,
  name: string,
  store: MessageIdStore,
  read: (entry: JsonObject, request: FastifyRequest) => string | undefined,
): void {
  /** Per send request: the value of each entry, by entry ID ('' for SendMessage). */
  const pending = new WeakMap<FastifyRequest, Map<string, string>>();

  app.addHook('preHandler', async (request, reply) => {
    const values = new Map<string, string>();
    try {
      for (const entry of sendEntries(sqsAction(request), request.body)) {
        const value = read(entry, request);
        if (value !== undefined) values.set(String(entry.Id), value);
      }
    } catch (error) {
      if (!(error instanceof InvalidParameterError)) throw error;
      return refuseParameter(reply, error.message);
    }
    if (values.size > 0) pending.set(request, values);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 || typeof payload !== 'string') return payload;
    const action = sqsAction(request);
    const values = pending.get(request);
    if (values) {
      for (const [entryId, messageId] of sentMessageIds(action, payload)) {
        const value = values.get(entryId);
        if (value !== undefined) store.set(messageId, value);
      }
      return payload;
    }
    if (action !== 'ReceiveMessage' || !asksFor(request.body, name)) return payload;
    return withSystemAttribute(payload, name, (messageId) => store.get(messageId));
  });
}
