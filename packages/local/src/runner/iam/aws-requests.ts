import { randomUUID } from 'node:crypto';
import { PSEUDO_PARAMETERS } from '../intrinsics.ts';
import { queryToJson } from '../sqs-query-protocol.ts';
import type { AccessRequest, Refusal } from './evaluate-policy.ts';
import type { FunctionIdentity } from './role-policies.ts';
import { statementAccess } from './partiql-access.ts';
import { sesRequests } from './ses-requests.ts';

/** An HTTP request on its way to an emulator. */
export interface EmulatorRequest {
  readonly method: string;
  /** With its query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type EmulatedService = 'dynamodb' | 'sqs' | 'ses';

/** What a refused call is answered, as AWS answers it. */
export interface DeniedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type Requests = readonly AccessRequest[] | { readonly error: string };
type JsonObject = Record<string, unknown>;

const REGION = PSEUDO_PARAMETERS['AWS::Region']!;
const ACCOUNT = PSEUDO_PARAMETERS['AWS::AccountId']!;

function header(headers: EmulatorRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** The access key ID a SigV4 request is signed with: `Credential=<AKID>/<date>/<region>/<service>/aws4_request`. */
export function accessKeyIdOf(headers: EmulatorRequest['headers']): string | undefined {
  return /\bCredential=([^/\s,]+)\//.exec(header(headers, 'authorization') ?? '')?.[1];
}

/** The body as a JSON object; undefined if it is not one. */
function jsonBody(request: EmulatorRequest): JsonObject | undefined {
  try {
    const body: unknown = request.body === '' ? {} : JSON.parse(request.body);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as JsonObject;
  } catch {
    // not JSON
  }
  return undefined;
}
const notJson = (request: EmulatorRequest) => ({
  error: `the body of ${request.method} ${request.path} is not a JSON object`,
});

const one = (action: string, resource: string): AccessRequest[] => [{ action, resources: [resource], context: {} }];

/** A table's ARN from its name or any ARN of it (DynamoDB Local's say `ddblocal` for the region). */
function tableArn(nameOrArn: unknown): string | undefined {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') return undefined;
  const name = nameOrArn.startsWith('arn:') ? /:table\/([^/]+)/.exec(nameOrArn)?.[1] : nameOrArn;
  return name && `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
}

/** Operations on no table; IAM checks them on `*`. */
const TABLELESS = new Set([
  'ListTables',
  'DescribeLimits',
  'DescribeEndpoints',
  'ListBackups',
  'ListGlobalTables',
  'ListExports',
  'ListImports',
  'ListContributorInsights',
  'DescribeReservedCapacity',
  'DescribeReservedCapacityOfferings',
  'ListStreams',
]);
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** Where each PartiQL operation keeps its statements. */
const STATEMENT_LISTS: Readonly<Record<string, string>> = {
  BatchExecuteStatement: 'Statements',
  ExecuteTransaction: 'TransactStatements',
};

/** A PartiQL request: each statement's action, on the table or index it names. */
function partiqlRequests(op: string, body: JsonObject): Requests {
  const list = STATEMENT_LISTS[op];
  const statements = list ? ((body[list] ?? []) as JsonObject[]) : [body];
  const requests: AccessRequest[] = [];
  for (const [index, entry] of statements.entries()) {
    const where = list ? `${list}[${index}]` : 'Statement';
    const access = typeof entry?.Statement === 'string' ? statementAccess(entry.Statement) : undefined;
    const table = access && tableArn(access.table);
    if (!access || !table)
      return {
        error: `${op}: ${where} is not a statement read locally (given ${JSON.stringify(entry?.Statement ?? null)})`,
      };
    requests.push(...one(access.action, access.index ? `${table}/index/${access.index}` : table));
  }
  return requests;
}

/** DynamoDB's JSON protocol: `X-Amz-Target: DynamoDB_20120810.<Op>`; Streams' too (`DynamoDBStreams_20120810`). */
function dynamodbRequests(request: EmulatorRequest): Requests {
  const target = header(request.headers, 'x-amz-target') ?? '';
  const op = /^DynamoDB(?:Streams)?_20120810\.(\w+)$/.exec(target)?.[1];
  if (!op) return { error: `not a DynamoDB call: X-Amz-Target is ${JSON.stringify(target)}` };
  const body = jsonBody(request);
  if (!body) return notJson(request);
  const action = `dynamodb:${op}`;
  const tableOrError = (nameOrArn: unknown, what: string) =>
    tableArn(nameOrArn) ?? { error: `${op}: ${what} names no table (given ${JSON.stringify(nameOrArn ?? null)})` };
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const requests: AccessRequest[] = [];
      for (const name of Object.keys((body.RequestItems ?? {}) as JsonObject)) {
        const table = tableOrError(name, 'RequestItems');
        if (typeof table !== 'string') return table;
        requests.push(...one(action, table));
      }
      return requests;
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const requests: AccessRequest[] = [];
      for (const [index, item] of ((body.TransactItems ?? []) as JsonObject[]).entries()) {
        const [kind = '', inner] = Object.entries(item ?? {})[0] ?? [];
        const table = tableOrError((inner as JsonObject | undefined)?.TableName, `TransactItems[${index}]`);
        if (typeof table !== 'string') return table;
        if (!TRANSACT_ACTIONS[kind]) return { error: `${op}: TransactItems[${index}] is a ${kind || 'nothing'}` };
        requests.push(...one(`dynamodb:${TRANSACT_ACTIONS[kind]}`, table));
      }
      return requests;
    }
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return partiqlRequests(op, body);
  }
  if (TABLELESS.has(op)) return one(action, '*');
  // A shard iterator starts with its stream's ARN, then `|`.
  const stream =
    body.StreamArn ?? (typeof body.ShardIterator === 'string' ? body.ShardIterator.split('|')[0] : undefined);
  if (typeof stream === 'string' && stream.startsWith('arn:'))
    return one(action, stream.replace(/^arn:aws:dynamodb:[^:]*:[^:]*:/, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:`));
  const table = tableOrError(body.TableName ?? body.TableArn ?? body.ResourceArn, 'the request');
  if (typeof table !== 'string') return table;
  const index = typeof body.IndexName === 'string' && (op === 'Query' || op === 'Scan') ? body.IndexName : undefined;
  return one(action, index ? `${table}/index/${index}` : table);
}

const SQS_ACTIONS = new Set([
  'AddPermission',
  'CancelMessageMoveTask',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'CreateQueue',
  'DeleteMessage',
  'DeleteMessageBatch',
  'DeleteQueue',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
  'ListQueues',
  'ListQueueTags',
  'PurgeQueue',
  'ReceiveMessage',
  'RemovePermission',
  'SendMessage',
  'SendMessageBatch',
  'SetQueueAttributes',
  'StartMessageMoveTask',
  'TagQueue',
  'UntagQueue',
]);
/** IAM has no actions of their own for the batches. */
const SQS_BATCHES: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

const lastSegment = (url: string): string =>
  new URL(url, 'http://sqs.local').pathname.split('/').filter(Boolean).pop() ?? '';

/**
 * SQS in its JSON protocol (`X-Amz-Target: AmazonSQS.<Op>`) or its query protocol (`Action=<Op>&QueueUrl=…` in a
 * form body or the query string, older clients posting to the queue's URL itself).
 */
function sqsRequests(request: EmulatorRequest): Requests {
  const target = header(request.headers, 'x-amz-target');
  let op: string;
  let input: JsonObject;
  if (target !== undefined) {
    op = /^AmazonSQS\.(\w+)$/.exec(target)?.[1] ?? '';
    const body = jsonBody(request);
    if (!body) return notJson(request);
    input = body;
  } else {
    const form = new URLSearchParams(request.body);
    for (const [key, value] of new URL(request.path, 'http://sqs.local').searchParams) form.append(key, value);
    op = form.get('Action') ?? '';
    input = queryToJson(Object.fromEntries(form));
  }
  if (!SQS_ACTIONS.has(op)) return { error: `${op || 'a call with no action'} is not an SQS action` };
  const action = `sqs:${SQS_BATCHES[op] ?? op}`;
  if (op === 'ListQueues') return one(action, '*');
  const name =
    op === 'CreateQueue' || op === 'GetQueueUrl'
      ? input.QueueName
      : typeof input.SourceArn === 'string'
        ? input.SourceArn.split(':').pop()
        : typeof input.QueueUrl === 'string'
          ? lastSegment(input.QueueUrl)
          : target === undefined && lastSegment(request.path);
  if (typeof name !== 'string' || name === '')
    return { error: `${op}: no queue named in ${request.method} ${request.path}` };
  return one(action, `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
}

/**
 * What a call to an emulator asks for: requests it needs all of. An error for a call that cannot be read (the caller
 * refuses it); an empty list for the emulator's own routes, which are no AWS API (aws-ses-v2-local's `GET /store`).
 */
export function accessRequestsOf(service: EmulatedService, request: EmulatorRequest): Requests {
  if (service === 'dynamodb') return dynamodbRequests(request);
  if (service === 'sqs') return sqsRequests(request);
  return sesRequests(request.method.toUpperCase(), request.path, request.body);
}

/**
 * AWS's wording of an AccessDenied message, naming the function's session:
 * `User: arn:aws:sts::000000000000:assumed-role/<role>/<function> is not authorized to perform: …`.
 */
export function deniedMessage(
  caller: Pick<FunctionIdentity, 'roleName' | 'functionName'>,
  request: AccessRequest,
  refusal: Refusal,
): string {
  const user = `arn:aws:sts::${ACCOUNT}:assumed-role/${caller.roleName}/${caller.functionName}`;
  const why =
    refusal.why === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${user} is not authorized to perform: ${request.action} on resource: ${refusal.resource} ${why}`;
}

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

function queryError(message: string, xmlns: string): DeniedResponse {
  const requestId = randomUUID();
  const body =
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: 403, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/**
 * The refusal AWS would answer, in the call's protocol, so that the SDK throws AccessDeniedException (DynamoDB,
 * SQS's JSON protocol, SES v2) or AccessDenied (SQS's query protocol, SES v1).
 */
export function accessDeniedResponse(
  service: EmulatedService,
  request: EmulatorRequest,
  message: string,
): DeniedResponse {
  const requestId = randomUUID();
  const json = (type: string, extra: Record<string, string> = {}): DeniedResponse => ({
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, ...extra },
    body: JSON.stringify({ __type: type, message }),
  });
  if (service === 'dynamodb') return json('com.amazonaws.dynamodb.v20120810#AccessDeniedException');
  if (service === 'sqs') {
    return header(request.headers, 'x-amz-target') === undefined
      ? queryError(message, 'http://queue.amazonaws.com/doc/2012-11-05/')
      : json('com.amazon.coral.service#AccessDeniedException', { 'x-amzn-query-error': 'AccessDenied;Sender' });
  }
  if (new URL(request.path, 'http://ses.local').pathname.startsWith('/v2/')) {
    return {
      status: 403,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({ message }),
    };
  }
  return queryError(message, 'http://ses.amazonaws.com/doc/2010-12-01/');
}
