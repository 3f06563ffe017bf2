import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessDeniedResponse,
  accessKeyIdOf,
  accessRequestsOf,
  deniedMessage,
  type EmulatedService,
  type EmulatorRequest,
} from '../../src/runner/iam/aws-requests.ts';
import { firstRefusal } from '../../src/runner/iam/evaluate-policy.ts';
import type { PolicyStatement } from '../../src/runner/iam/role-policies.ts';

/**
 * Real SDK clients against a loopback server that checks what they send and answers with the refusal: the SDK's own
 * serializers feed accessRequestsOf, its deserializers read accessDeniedResponse.
 */
const STATEMENTS: readonly PolicyStatement[] = [
  {
    effect: 'Allow',
    actions: ['dynamodb:GetItem'],
    resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/Other'],
    conditions: {},
    source: 'FnPolicy',
  },
  {
    effect: 'Allow',
    actions: ['ses:SendEmail', 'ses:SendRawEmail'],
    resources: [
      'arn:aws:ses:us-east-1:000000000000:identity/example.com',
      'arn:aws:ses:us-east-1:000000000000:identity/jobs@example.com',
    ],
    conditions: { StringEquals: { 'ses:FromAddress': ['jobs@example.com'] } },
    source: 'FnPolicy',
  },
];
const CALLER = { roleName: 'S-Role', functionName: 'S-Fn' };
const SES_SENT = '<SendEmailResponse><SendEmailResult><MessageId>m-1</MessageId></SendEmailResult></SendEmailResponse>';

/** How the server answers: it checks the call as the checker would for `service`, or refuses it as `service` would. */
let answer:
  | { kind: 'check'; service: EmulatedService }
  | { kind: 'refuse'; service: EmulatedService; as: EmulatorRequest } = { kind: 'check', service: 'dynamodb' };
const seen: EmulatorRequest[] = [];

async function readAll(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function respond(request: EmulatorRequest): { status: number; headers: Record<string, string>; body: string } {
  if (answer.kind === 'refuse') return accessDeniedResponse(answer.service, answer.as, 'User: u is not authorized');
  const requests = accessRequestsOf(answer.service, request);
  if ('error' in requests) return { status: 500, headers: {}, body: requests.error };
  const refused = firstRefusal(STATEMENTS, requests);
  if (!refused && answer.service === 'ses')
    return { status: 200, headers: { 'content-type': 'text/xml' }, body: SES_SENT };
  if (!refused) return { status: 500, headers: {}, body: 'allowed' };
  return accessDeniedResponse(answer.service, request, deniedMessage(CALLER, refused.request, refused.refusal));
}

const server = createServer((incoming, response) => {
  void readAll(incoming).then((body) => {
    const request = { method: incoming.method ?? '', path: incoming.url ?? '/', headers: incoming.headers, body };
    seen.push(request);
    const { status, headers, body: answered } = respond(request);
    response.writeHead(status, headers).end(answered);
  });
});

let endpoint = '';
const config = () => ({
  endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKID-S-Fn', secretAccessKey: 'local' },
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function errorOf(call: Promise<unknown>): Promise<Error> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown as Error,
  );
  if (!error) throw new Error('the call succeeded');
  return error;
}

describe('accessDeniedResponse, through the AWS SDK', () => {
  it('DynamoDB: the SDK throws AccessDeniedException naming the action and the table', async () => {
    answer = { kind: 'check', service: 'dynamodb' };
    const client = new DynamoDBClient(config());
    const error = await errorOf(client.send(new GetItemCommand({ TableName: 'T', Key: { pk: { S: 'a' } } })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/S-Role/S-Fn is not authorized to perform: dynamodb:GetItem on ' +
        'resource: arn:aws:dynamodb:us-east-1:000000000000:table/T because no identity-based policy allows the ' +
        'dynamodb:GetItem action',
    );
    expect(accessKeyIdOf(seen.at(-1)!.headers)).toBe('AKID-S-Fn');
  });

  it("SQS (JSON protocol): the SDK throws AccessDenied, from the query-compatible error's code", async () => {
    answer = { kind: 'check', service: 'sqs' };
    const client = new SQSClient({ ...config(), useQueueUrlAsEndpoint: false });
    const QueueUrl = 'http://sqs.us-east-1.localhost:4566/000000000000/S-jobs';
    const error = await errorOf(client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain(
      'perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:S-jobs because',
    );
    expect((error as Error & { Code?: string }).Code).toBe('AccessDenied');
  });

  it('SES v1: the SDK throws AccessDenied for a sender the condition refuses; the one it allows sends', async () => {
    answer = { kind: 'check', service: 'ses' };
    const client = new SESClient(config());
    const send = (Source: string) =>
      client.send(
        new SendEmailCommand({
          Source,
          Destination: { ToAddresses: ['a@example.com'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } },
        }),
      );
    const error = await errorOf(send('"Other" <other@example.com>'));
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain(
      'perform: ses:SendEmail on resource: arn:aws:ses:us-east-1:000000000000:identity/example.com because',
    );
    await expect(send('"Jobs" <jobs@example.com>')).resolves.toMatchObject({ MessageId: 'm-1' });
  });

  it("SQS (query protocol): an awsQuery client (SES v1's, the same protocol) reads AccessDenied", async () => {
    // SQS's query protocol's refusal, read by the SES client's awsQuery parser: no SDK v3 SQS client speaks it.
    const query = { method: 'POST', path: '/', headers: {}, body: 'Action=SendMessage&QueueUrl=q' };
    answer = { kind: 'refuse', service: 'sqs', as: query };
    const client = new SESClient(config());
    const error = await errorOf(
      client.send(
        new SendEmailCommand({
          Source: 'other@example.com',
          Destination: {},
          Message: { Subject: { Data: 's' }, Body: {} },
        }),
      ),
    );
    expect([error.name, error.message]).toEqual(['AccessDenied', 'User: u is not authorized']);
  });

  it('SES v2 (REST JSON): a restJson1 client (the Scheduler; no SES v2 client is installed) reads it', async () => {
    const v2 = { method: 'POST', path: '/v2/email/outbound-emails', headers: {}, body: '' };
    answer = { kind: 'refuse', service: 'ses', as: v2 };
    const client = new SchedulerClient(config());
    const error = await errorOf(client.send(new ListSchedulesCommand({})));
    expect([error.name, error.message]).toEqual(['AccessDeniedException', 'User: u is not authorized']);
  });
});
