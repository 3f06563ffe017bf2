import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessChecker,
  type Caller,
  type Refusal,
  startAccessChecker,
} from '../../src/runner/iam/access-checker.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/Orders';

interface FakeEmulator {
  readonly server: Server;
  readonly endpoint: string;
  readonly listener: RequestListener;
  readonly seen: { target: string; host: string }[];
  readonly bodies: string[];
}

/** The emulator behind the checker: records what reaches it and answers an empty item. */
async function fakeEmulator(): Promise<FakeEmulator> {
  const seen: { target: string; host: string }[] = [];
  const bodies: string[] = [];
  const listener: RequestListener = (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ target: String(request.headers['x-amz-target']), host: String(request.headers.host) });
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"Item":{"pk":{"S":"a"}}}');
    });
  };
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, listener, seen, bodies };
}

const CALLERS: ReadonlyMap<string, Caller> = new Map([
  [
    'ServerlessJobsdevreaderFunction',
    {
      label: 'reader',
      functionName: 'ServerlessJobs-dev-readerFunction',
      roleName: 'ServerlessJobs-dev-readerRole',
      statements: [
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [TABLE], conditions: {}, source: 'Policy' },
      ],
    },
  ],
]);

const client = (endpoint: string, accessKeyId: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts: 1,
  });

describe('Function: startAccessChecker', () => {
  let emulator: FakeEmulator;
  let checker: AccessChecker;
  const refusals: Refusal[] = [];

  beforeAll(async () => {
    emulator = await fakeEmulator();
    checker = await startAccessChecker({
      upstreams: { dynamodb: emulator.endpoint, sqs: emulator.endpoint, ses: emulator.endpoint },
      callers: CALLERS,
      operatorKeys: new Set(['local']),
      onRefused: (refusal) => refusals.push(refusal),
    });
  });

  afterAll(async () => {
    await checker.stop();
    emulator.server.close();
  });

  it('passes an allowed call on to the emulator unchanged, but for the host', async () => {
    const reader = client(checker.endpoints.dynamodb, 'ServerlessJobsdevreaderFunction');
    await reader.send(new GetItemCommand({ TableName: 'Orders', Key: { pk: { S: 'a' } } }));
    expect(emulator.seen.at(-1)).toEqual({
      target: 'DynamoDB_20120810.GetItem',
      host: new URL(emulator.endpoint).host,
    });
  });

  it("refuses what the role lacks with AWS's error, never reaching the emulator, and reports it once", async () => {
    const before = emulator.seen.length;
    const reader = client(checker.endpoints.dynamodb, 'ServerlessJobsdevreaderFunction');
    const error = await reader.send(new ScanCommand({ TableName: 'Orders' })).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
    expect((error as Error).message).toContain(
      'assumed-role/ServerlessJobs-dev-readerRole/ServerlessJobs-dev-readerFunction is not authorized to perform: ' +
        `dynamodb:Scan on resource: ${TABLE}`,
    );
    expect(emulator.seen).toHaveLength(before);
    expect(refusals.at(-1)).toEqual({
      label: 'reader',
      caller: 'ServerlessJobs-dev-readerFunction',
      service: 'dynamodb',
      what: `dynamodb:Scan on ${TABLE}`,
      action: 'dynamodb:Scan',
      why: 'no statement of its role ServerlessJobs-dev-readerRole allows it',
    });
  });

  it('lets the operator do anything, and refuses a key that is nobody’s', async () => {
    await client(checker.endpoints.dynamodb, 'local').send(new ScanCommand({ TableName: 'Orders' }));
    expect(emulator.seen.at(-1)?.target).toBe('DynamoDB_20120810.Scan');

    const stranger = client(checker.endpoints.dynamodb, 'Somebody');
    const error = await stranger.send(new ScanCommand({ TableName: 'Orders' })).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('access key Somebody belongs to no local function');
    expect(refusals.at(-1)).toMatchObject({ label: 'iam', caller: 'access key Somebody' });
  });

  it('hands an allowed call to the handler of an emulator in this process, as its endpoint would get it', async () => {
    const here = await fakeEmulator();
    const direct = await startAccessChecker({
      upstreams: { dynamodb: here.endpoint, sqs: emulator.endpoint, ses: emulator.endpoint },
      inProcess: { dynamodb: here.listener },
      callers: CALLERS,
      operatorKeys: new Set(['local']),
      onRefused: () => {},
    });
    // Its endpoint takes no connection: a request that reached it would be a second trip over loopback.
    here.server.close();
    try {
      const reader = client(direct.endpoints.dynamodb, 'ServerlessJobsdevreaderFunction');
      const answer = await reader.send(new GetItemCommand({ TableName: 'Orders', Key: { pk: { S: 'a' } } }));
      expect(answer.Item).toEqual({ pk: { S: 'a' } });
      expect(here.seen).toEqual([{ target: 'DynamoDB_20120810.GetItem', host: new URL(here.endpoint).host }]);
      expect(JSON.parse(here.bodies[0]!)).toEqual({ TableName: 'Orders', Key: { pk: { S: 'a' } } });

      const error = await reader.send(new ScanCommand({ TableName: 'Orders' })).catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ name: 'AccessDeniedException' });
      expect(here.seen).toHaveLength(1);
    } finally {
      await direct.stop();
    }
  });

  it('drops the connection when the emulator is down, as the emulator itself would look', async () => {
    const down = await fakeEmulator();
    const lone = await startAccessChecker({
      upstreams: { dynamodb: down.endpoint, sqs: down.endpoint, ses: down.endpoint },
      callers: new Map(),
      operatorKeys: new Set(['local']),
      onRefused: () => {},
    });
    down.server.close();
    await once(down.server, 'close');
    try {
      const error = await client(lone.endpoints.dynamodb, 'local')
        .send(new ScanCommand({ TableName: 'Orders' }))
        .catch((e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
      expect(error).toBeInstanceOf(Error);
      // A network error, which the SDK retries, not an HTTP error answered by the checker.
      expect(error.$metadata?.httpStatusCode).toBeUndefined();
    } finally {
      await lone.stop();
    }
  });
});
