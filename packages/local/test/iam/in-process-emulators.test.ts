import { randomUUID } from 'node:crypto';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessChecker, type Caller, startAccessChecker } from '../../src/runner/iam/access-checker.ts';
import { type SqsEmulator, startFauxqs, startSesLocal } from '../../src/runner/emulators.ts';
import type { Emulator } from '../../src/runner/loopback.ts';

const QUEUE = `in-process-${randomUUID().slice(0, 8)}`;
const FUNCTION_KEY = 'ServerlessJobsdevsenderFunction';
const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'local' });
const CALLERS: ReadonlyMap<string, Caller> = new Map([
  [
    FUNCTION_KEY,
    {
      label: 'sender',
      functionName: 'ServerlessJobs-dev-senderFunction',
      roleName: 'ServerlessJobs-dev-senderRole',
      statements: [
        {
          effect: 'Allow',
          actions: ['sqs:SendMessage'],
          resources: [`arn:aws:sqs:us-east-1:000000000000:${QUEUE}`],
          conditions: {},
          source: 'Policy',
        },
        {
          effect: 'Allow',
          actions: ['ses:SendEmail'],
          resources: ['arn:aws:ses:us-east-1:000000000000:identity/example.com'],
          conditions: {},
          source: 'Policy',
        },
      ],
    },
  ],
]);

describe('Function: startAccessChecker, with fauxqs and the SES emulator in this process', () => {
  let sqs: SqsEmulator;
  let ses: Emulator;
  let checker: AccessChecker;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startFauxqs();
    ses = await startSesLocal();
    checker = await startAccessChecker({
      upstreams: { dynamodb: 'http://127.0.0.1:9', sqs: sqs.endpoint, ses: ses.endpoint },
      inProcess: { sqs: sqs.handle, ses: ses.handle },
      callers: CALLERS,
      operatorKeys: new Set(['local']),
      onRefused: () => {},
    });
    const operator = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: credentials('local') });
    queueUrl = (await operator.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl!;
  });

  afterAll(async () => {
    await checker.stop();
    await ses.stop();
    await sqs.stop().catch(() => {});
  });

  // One client each, so the second call of each pair goes on the first one's kept-alive connection.
  const sender = () =>
    new SQSClient({ endpoint: checker.endpoints.sqs, region: 'us-east-1', credentials: credentials(FUNCTION_KEY) });

  it('hands allowed calls to fauxqs, one after another on one connection, and they land in the queue', async () => {
    const client = sender();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'first' }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'second' }));
    const operator = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: credentials('local') });
    const { Messages = [] } = await operator.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((message) => message.Body).sort()).toEqual(['first', 'second']);
  });

  it('hands allowed e-mails to the SES emulator, and they land in its store', async () => {
    const client = new SESClient({
      endpoint: checker.endpoints.ses,
      region: 'us-east-1',
      credentials: credentials(FUNCTION_KEY),
    });
    for (const subject of ['one', 'two'])
      await client.send(
        new SendEmailCommand({
          Source: 'jobs@example.com',
          Destination: { ToAddresses: ['ada@example.com'] },
          Message: { Subject: { Data: `${QUEUE} ${subject}` }, Body: { Text: { Data: 'hello' } } },
        }),
      );
    const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: { subject: string }[] };
    expect(store.emails.map((email) => email.subject).filter((subject) => subject.startsWith(QUEUE))).toEqual([
      `${QUEUE} one`,
      `${QUEUE} two`,
    ]);
  });

  it('drops the connection once fauxqs is stopped, as its closed port would', async () => {
    await sqs.stop();
    const client = new SQSClient({
      endpoint: checker.endpoints.sqs,
      region: 'us-east-1',
      credentials: credentials(FUNCTION_KEY),
      maxAttempts: 1,
    });
    const error = await client
      .send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'third' }))
      .catch((e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
    expect(error).toBeInstanceOf(Error);
    // A network error, which the SDK retries, not an answer from the closing emulator.
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
  });
});
