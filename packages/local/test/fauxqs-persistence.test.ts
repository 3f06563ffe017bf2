import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { type SqsEmulator, startFauxqs } from '@serverless-jobs/local/runner';

const dataDir = mkdtempSync(join(tmpdir(), 'sj-fauxqs-'));
const started: SqsEmulator[] = [];
afterAll(async () => {
  await Promise.all(started.map((sqs) => sqs.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

const clientOf = (sqs: SqsEmulator) =>
  new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });

async function receiveOne(client: SQSClient, queueUrl: string) {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      VisibilityTimeout: 30,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages[0];
}

describe('Function: startFauxqs, with a data folder', () => {
  it('gives a message back at visibility 0, with its receive count, also across a restart', async () => {
    const sqs = await startFauxqs({ dataDir });
    started.push(sqs);
    const client = clientOf(sqs);
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'peeked' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'dead letter' }));
    // A peek, as `jobs-cli dlq` takes one: received, then handed back at once.
    const first = await receiveOne(client, QueueUrl!);
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
    const second = await receiveOne(client, QueueUrl!);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 0 }),
    );

    await sqs.restart();
    expect((await receiveOne(client, QueueUrl!))?.Attributes?.ApproximateReceiveCount).toBe('3');
  });
});
