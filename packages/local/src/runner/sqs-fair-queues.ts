import type { FastifyInstance } from 'fastify';
import type { BuildAppOptions } from 'fauxqs';
import {
  InvalidParameterError,
  isObject,
  keepSystemAttribute,
  MessageIdStore,
  sqsAction,
} from './sqs-system-attributes.ts';

type SqsStore = NonNullable<BuildAppOptions['stores']>['sqsStore'];
/** The messages' groups (MessageGroupId), by message ID; the oldest are forgotten past its capacity. */
export class MessageGroupStore extends MessageIdStore {}

/** SQS's MessageGroupId: 1-128 printable ASCII characters, space excluded. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;
/** The group of a message sent without one: SQS counts it as no tenant's; here it shares out as one more. */
const NO_GROUP = '';

/**
 * The order a fair queue hands `ready` messages out in: each group's next message waits for as many turns as the
 * group has messages in flight and before it in the queue, so a group with none in flight goes first, however
 * many messages a flooding group has ahead of it. Stable: within a group, and between equal turns, the queue's
 * order is kept. With one group (or none) the order is the queue's.
 */
export function fairOrder<T>(
  ready: readonly T[],
  groupOf: (item: T) => string,
  inFlight: ReadonlyMap<string, number>,
): T[] {
  const ahead = new Map<string, number>();
  const ranked = ready.map((item, index) => {
    const group = groupOf(item);
    const before = ahead.get(group) ?? 0;
    ahead.set(group, before + 1);
    return { item, index, turn: (inFlight.get(group) ?? 0) + before };
  });
  ranked.sort((a, b) => a.turn - b.turn || a.index - b.index);
  return ranked.map(({ item }) => item);
}

/** Puts a standard queue's ready messages in fair order, in place, when any of them has a group. */
function shareOut(store: SqsStore, queueUrl: string, groups: MessageGroupStore): void {
  // No message was ever sent with a group: every queue keeps fauxqs's order, at no cost.
  if (groups.size === 0) return;
  const queue = store.getQueue(queueUrl);
  if (!queue || queue.isFifo()) return;
  const ready = queue.messages;
  const groupOf = (messageId: string): string => groups.get(messageId) ?? NO_GROUP;
  if (!ready.some((message) => groupOf(message.messageId) !== NO_GROUP)) return;
  const inFlight = new Map<string, number>();
  for (const { message } of queue.inflightMessages.values()) {
    const group = groupOf(message.messageId);
    inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
  }
  const ordered = fairOrder(ready, (message) => groupOf(message.messageId), inFlight);
  for (let i = 0; i < ordered.length; i++) ready[i] = ordered[i]!;
}

/**
 * SQS fair queues on fauxqs, which takes a MessageGroupId on a standard queue and drops it. SQS keeps it, returns it
 * to a ReceiveMessage that asks for it (also from the DLQ), and, when one group has many messages in flight, hands
 * out the other groups' messages first. These hooks keep each message's group in `groups` and order the ready
 * messages of `store`'s queue (see fairOrder) before each receive, so the runner's pollers and any other consumer
 * see what they would on AWS. Queues whose messages have no group keep fauxqs's order.
 */
export function keepFairQueues(app: FastifyInstance, store: SqsStore, groups: MessageGroupStore): void {
  app.addHook('preHandler', async (request) => {
    const body = request.body;
    if (sqsAction(request) === 'ReceiveMessage' && isObject(body) && typeof body.QueueUrl === 'string')
      shareOut(store, body.QueueUrl, groups);
  });
  keepSystemAttribute(app, 'MessageGroupId', groups, (entry) => {
    const group = entry.MessageGroupId;
    if (group === undefined) return undefined;
    if (typeof group === 'string' && GROUP_ID.test(group)) return group;
    throw new InvalidParameterError(
      `MessageGroupId must be 1-128 printable ASCII characters (given ${JSON.stringify(group)})`,
    );
  });
}
