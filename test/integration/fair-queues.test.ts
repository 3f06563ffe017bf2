import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import { measureTrickle } from '#bench/sections/fair-queues';
import { createQueue, sqs } from '#test/helpers/aws';

const receive = async (queueUrl: string, count: number) => {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: count, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages;
};

describe('SQS fair queues on the emulator (MessageGroupId on a standard queue)', () => {
  it('keeps each message group, gives it back on receive, and hands out a quiet group before a busy one', async () => {
    const queueUrl = await createQueue('fair');
    const queue = new SqsJobQueue(sqs(), {
      ownQueueUrl: queueUrl,
      deadLetterQueueUrl: queueUrl,
      queueUrlOf: () => queueUrl,
    });
    const flood = Array.from({ length: 30 }, (_, n) => ({ id: `a/${n}`, payload: { n }, messageGroupId: 'a' }));
    await queue.send('fair', flood);
    expect((await receive(queueUrl, 10)).map((m) => m.Attributes?.MessageGroupId)).toEqual(Array(10).fill('a'));
    // a has 10 in flight and 20 waiting ahead of b's one: b's goes first all the same.
    await queue.send('fair', [
      { id: 'b/0', payload: { n: 0 }, messageGroupId: 'b' },
      { id: 'n/0', payload: {} },
    ]);
    expect((await receive(queueUrl, 4)).map((m) => m.Attributes?.MessageGroupId)).toEqual(['b', undefined, 'a', 'a']);
  });

  it('refuses a MessageGroupId SQS would refuse, naming the value', async () => {
    const queueUrl = await createQueue('fair-bad');
    const send = sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}', MessageGroupId: 'a b' }));
    await expect(send).rejects.toThrow(/MessageGroupId must be 1-128 printable ASCII characters \(given "a b"\)/);
  });
});

describe('The flood test: one key floods, another trickles (local runner: fauxqs, poller, sandboxes)', () => {
  const trickle = { trickle: 25, trickleEveryMs: 80, recordMs: 4, lanes: 2 } as const;
  /** How far the trickling key's p95 may rise under the flood: 3× its p95 alone, and never under 250 ms. */
  const bound = (alone: number) => Math.max(3 * alone, alone + 250);

  it("keeps the trickling key's wait flat under a flood of 1,200 when the job declares fairness, and " +
    'loses nothing; without fairness the same flood makes it wait (the test can fail)', async () => {
    const client = sqs();
    const alone = await measureTrickle({ sqs: client, flood: 0, fair: true, ...trickle });
    const fair = await measureTrickle({ sqs: client, flood: 1_200, fair: true, ...trickle });
    const unfair = await measureTrickle({ sqs: client, flood: 1_200, fair: false, ...trickle });
    const figures = { alone, fair, unfair };
    for (const run of Object.values(figures)) expect(run).toMatchObject({ lost: 0, doubled: 0 });
    expect(fair.p95, JSON.stringify(figures)).toBeLessThanOrEqual(bound(alone.p95));
    expect(unfair.p95, JSON.stringify(figures)).toBeGreaterThan(bound(alone.p95));
  }, 120_000);
});
