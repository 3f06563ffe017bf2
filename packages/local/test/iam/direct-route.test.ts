import { type ClientRequest, createServer, request, type Server } from 'node:http';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installDirectRoute } from '../../src/runner/iam/direct-route.ts';
import type { PolicyStatement } from '../../src/runner/iam/role-policies.ts';

const FUNCTION_KEY = 'ServerlessJobsdevreaderFunction';
const TABLE = 'Orders';
const STATEMENTS: readonly PolicyStatement[] = [
  {
    effect: 'Allow',
    actions: ['dynamodb:GetItem'],
    resources: [`arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`],
    conditions: {},
    source: 'Policy',
  },
];

/** A stand-in for one endpoint: it answers every DynamoDB call with `{}`, and notes each request and connection. */
interface Endpoint {
  readonly url: string;
  readonly targets: string[];
  /** The Host header of each request. */
  readonly hosts: string[];
  connections: number;
  readonly server: Server;
}

async function endpoint(): Promise<Endpoint> {
  const targets: string[] = [];
  const hosts: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      targets.push(String(request.headers['x-amz-target']).split('.').pop() ?? '');
      hosts.push(request.headers.host ?? '');
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    });
  });
  const state: Endpoint = { url: '', targets, hosts, connections: 0, server };
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return Object.assign(state, { url: `http://127.0.0.1:${address.port}` });
}

describe('Function: installDirectRoute, in a sandbox in front of the access checker', () => {
  let checker: Endpoint;
  let dynamodb: Endpoint;
  let uninstall: () => void;

  beforeAll(async () => {
    checker = await endpoint();
    dynamodb = await endpoint();
  });

  afterAll(async () => {
    for (const { server } of [checker, dynamodb]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  beforeEach(() => {
    for (const one of [checker, dynamodb]) {
      one.targets.length = 0;
      one.hosts.length = 0;
      one.connections = 0;
    }
    uninstall = installDirectRoute({
      checked: checker.url,
      direct: dynamodb.url,
      accessKeyId: FUNCTION_KEY,
      statements: STATEMENTS,
    });
  });

  afterEach(() => uninstall());

  const client = (accessKeyId = FUNCTION_KEY) =>
    new DynamoDBClient({
      endpoint: checker.url,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  const getItem = new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'o-1' } } });

  it('sends what the role allows straight to DynamoDB, twice on one kept-alive connection', async () => {
    const reader = client();
    await reader.send(getItem);
    await reader.send(getItem);
    expect(dynamodb.targets).toEqual(['GetItem', 'GetItem']);
    expect(dynamodb.connections).toBe(1);
    expect(dynamodb.hosts).toEqual([new URL(dynamodb.url).host, new URL(dynamodb.url).host]);
    expect(checker.targets).toEqual([]);
  });

  it('sends what the role does not allow to the checker (which refuses it: access-checker.test)', async () => {
    await client().send(new ScanCommand({ TableName: TABLE }));
    expect(checker.targets).toEqual(['Scan']);
    expect(dynamodb.targets).toEqual([]);
  });

  it('sends a request signed with another key to the checker', async () => {
    await client('SomeoneElse').send(getItem);
    expect(checker.targets).toEqual(['GetItem']);
    expect(dynamodb.targets).toEqual([]);
  });

  it('leaves requests to other endpoints alone', async () => {
    await new DynamoDBClient({
      endpoint: dynamodb.url,
      region: 'us-east-1',
      credentials: { accessKeyId: FUNCTION_KEY, secretAccessKey: 'local' },
    }).send(new ScanCommand({ TableName: TABLE }));
    expect(dynamodb.targets).toEqual(['Scan']);
    expect(checker.targets).toEqual([]);
  });

  it('leaves a request without an agent, which makes its own connection, on its way to the checker', async () => {
    const url = new URL(checker.url);
    await new Promise<void>((resolve, reject) => {
      const sent = request(
        { host: url.hostname, port: url.port, method: 'POST', path: '/', agent: false },
        (response) => response.resume().on('end', resolve),
      );
      sent.on('error', reject);
      sent.setHeader('x-amz-target', 'DynamoDB_20120810.GetItem');
      // Signed by the function, and allowed: only its agent: false keeps it off the direct route.
      sent.setHeader(
        'authorization',
        `AWS4-HMAC-SHA256 Credential=${FUNCTION_KEY}/20261206/us-east-1/dynamodb/aws4_request`,
      );
      sent.end(JSON.stringify({ TableName: TABLE }));
    });
    expect(checker.targets).toEqual(['GetItem']);
    expect(dynamodb.targets).toEqual([]);
  });

  /** A request by hand to the checker's endpoint, signed by the function, with `body` written by `send`. */
  const byHand = async (target: string, send: (request: ClientRequest) => void): Promise<number | undefined> => {
    const url = new URL(checker.url);
    return new Promise((resolve, reject) => {
      const sent = request({ host: url.hostname, port: url.port, method: 'POST', path: '/' }, (response) =>
        response.resume().on('end', () => resolve(response.statusCode)),
      );
      sent.on('error', reject);
      sent.setHeader('x-amz-target', `DynamoDB_20120810.${target}`);
      sent.setHeader(
        'authorization',
        `AWS4-HMAC-SHA256 Credential=${FUNCTION_KEY}/20261206/us-east-1/dynamodb/aws4_request`,
      );
      send(sent);
    });
  };

  it('sends a body written before end() to the checker, which reads the whole of it', async () => {
    // What end() is given alone is allowed; what was written before it is not.
    await byHand('GetItem', (sent) => {
      sent.write(JSON.stringify({ TableName: 'Secret', Key: {} }));
      sent.end(JSON.stringify({ TableName: TABLE, Key: {} }));
    });
    expect(checker.targets).toEqual(['GetItem']);
    expect(dynamodb.targets).toEqual([]);
  });

  it('sends a body the check cannot read to the checker, and the request still gets its answer', async () => {
    const status = await byHand('TransactWriteItems', (sent) => sent.end(JSON.stringify({ TransactItems: {} })));
    expect(status).toBe(200);
    expect(checker.targets).toEqual(['TransactWriteItems']);
  });

  it('closes a request made with a signal already aborted', async () => {
    const url = new URL(checker.url);
    const sent = request({ host: url.hostname, port: url.port, path: '/', signal: AbortSignal.abort() });
    await new Promise<void>((resolve) => sent.on('error', () => resolve()));
    expect(sent.destroyed).toBe(true);
  });

  it('closes a request destroyed before it was sent, with the error the SDK expects', async () => {
    const url = new URL(checker.url);
    const sent = request({ host: url.hostname, port: url.port, method: 'POST', path: '/' });
    const failed = new Promise<Error>((resolve) => sent.on('error', resolve));
    const closed = new Promise<void>((resolve) => sent.on('close', resolve));
    sent.destroy(new Error('aborted by the caller'));
    expect((await failed).message).toBe('aborted by the caller');
    await closed;
    expect(checker.targets).toEqual([]);
  });

  it('restores http.request when uninstalled', async () => {
    uninstall();
    await client().send(getItem);
    expect(checker.targets).toEqual(['GetItem']);
    expect(dynamodb.targets).toEqual([]);
    uninstall = () => {};
  });
});
