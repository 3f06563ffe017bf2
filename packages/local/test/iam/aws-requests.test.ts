import { describe, expect, it } from 'vitest';
import {
  accessDeniedResponse,
  accessKeyIdOf,
  accessRequestsOf,
  deniedMessage,
  type EmulatorRequest,
} from '../../src/runner/iam/aws-requests.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000';
const SES_ARN = 'arn:aws:ses:us-east-1:000000000000';
const QUEUE_URL = 'http://sqs.us-east-1.localhost:4566/000000000000/S-jobs';

const dynamodb = (op: string, body: unknown): EmulatorRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'x-amz-target': `DynamoDB_20120810.${op}` },
  body: JSON.stringify(body),
});
const sqsJson = (op: string, body: unknown): EmulatorRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'X-Amz-Target': `AmazonSQS.${op}`, 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify(body),
});
const form = (params: Record<string, string>, path = '/'): EmulatorRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});
/** The (action, resources) pairs, without the context. */
const pairs = (service: 'dynamodb' | 'sqs' | 'ses', request: EmulatorRequest) => {
  const requests = accessRequestsOf(service, request);
  return 'error' in requests ? requests : requests.map(({ action, resources }) => [action, ...resources]);
};

describe('Function: accessKeyIdOf', () => {
  it('reads the key from a SigV4 Authorization header, in any case of its name', () => {
    const authorization =
      'AWS4-HMAC-SHA256 Credential=S-sendemailFn/20250101/us-east-1/sqs/aws4_request, ' +
      'SignedHeaders=host;x-amz-date, Signature=abc';
    expect(accessKeyIdOf({ authorization })).toBe('S-sendemailFn');
    expect(accessKeyIdOf({ Authorization: [authorization] })).toBe('S-sendemailFn');
    expect(accessKeyIdOf({})).toBeUndefined();
    expect(accessKeyIdOf({ authorization: 'Bearer x' })).toBeUndefined();
  });
});

describe('Function: accessRequestsOf (DynamoDB)', () => {
  it('maps an operation to dynamodb:<Op> on its table, or on its index for a Query or Scan', () => {
    expect(pairs('dynamodb', dynamodb('GetItem', { TableName: 'T', Key: {} }))).toEqual([
      ['dynamodb:GetItem', `${ARN}/T`],
    ]);
    expect(pairs('dynamodb', dynamodb('Query', { TableName: 'T', IndexName: 'byJob' }))).toEqual([
      ['dynamodb:Query', `${ARN}/T/index/byJob`],
    ]);
    expect(pairs('dynamodb', dynamodb('Scan', { TableName: 'T' }))).toEqual([['dynamodb:Scan', `${ARN}/T`]]);
    expect(pairs('dynamodb', dynamodb('DescribeTable', { TableName: 'T' }))).toEqual([
      ['dynamodb:DescribeTable', `${ARN}/T`],
    ]);
    expect(pairs('dynamodb', dynamodb('CreateTable', { TableName: 'T', KeySchema: [] }))).toEqual([
      ['dynamodb:CreateTable', `${ARN}/T`],
    ]);
  });

  it("takes a table's ARN for its name, DynamoDB Local's `ddblocal` region made local", () => {
    const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/T';
    expect(pairs('dynamodb', dynamodb('PutItem', { TableName: arn }))).toEqual([['dynamodb:PutItem', `${ARN}/T`]]);
    expect(pairs('dynamodb', dynamodb('ListTagsOfResource', { ResourceArn: arn }))).toEqual([
      ['dynamodb:ListTagsOfResource', `${ARN}/T`],
    ]);
  });

  it('maps a batch to one request per table, and a transaction to one per item with its own action', () => {
    const batch = { RequestItems: { A: { Keys: [] }, B: { Keys: [] } } };
    expect(pairs('dynamodb', dynamodb('BatchGetItem', batch))).toEqual([
      ['dynamodb:BatchGetItem', `${ARN}/A`],
      ['dynamodb:BatchGetItem', `${ARN}/B`],
    ]);
    expect(pairs('dynamodb', dynamodb('BatchWriteItem', batch))).toEqual([
      ['dynamodb:BatchWriteItem', `${ARN}/A`],
      ['dynamodb:BatchWriteItem', `${ARN}/B`],
    ]);
    const TransactItems = [
      { Put: { TableName: 'A' } },
      { Update: { TableName: 'B' } },
      { Delete: { TableName: 'A' } },
      { ConditionCheck: { TableName: 'C' } },
    ];
    expect(pairs('dynamodb', dynamodb('TransactWriteItems', { TransactItems }))).toEqual([
      ['dynamodb:PutItem', `${ARN}/A`],
      ['dynamodb:UpdateItem', `${ARN}/B`],
      ['dynamodb:DeleteItem', `${ARN}/A`],
      ['dynamodb:ConditionCheckItem', `${ARN}/C`],
    ]);
    const gets = { TransactItems: [{ Get: { TableName: 'A' } }, { Get: { TableName: 'B' } }] };
    expect(pairs('dynamodb', dynamodb('TransactGetItems', gets))).toEqual([
      ['dynamodb:GetItem', `${ARN}/A`],
      ['dynamodb:GetItem', `${ARN}/B`],
    ]);
  });

  it('checks an operation on no table on *', () => {
    expect(pairs('dynamodb', dynamodb('ListTables', {}))).toEqual([['dynamodb:ListTables', '*']]);
    expect(pairs('dynamodb', dynamodb('DescribeLimits', {}))).toEqual([['dynamodb:DescribeLimits', '*']]);
  });

  it('answers an error for what it cannot read', () => {
    expect(accessRequestsOf('dynamodb', { ...dynamodb('GetItem', {}), body: '{' })).toEqual({
      error: 'the body of POST / is not a JSON object',
    });
    expect(accessRequestsOf('dynamodb', { ...dynamodb('GetItem', {}), headers: {} })).toEqual({
      error: 'not a DynamoDB call: X-Amz-Target is ""',
    });
    expect(accessRequestsOf('dynamodb', dynamodb('GetItem', { Key: {} }))).toEqual({
      error: 'GetItem: the request names no table (given null)',
    });
    expect(accessRequestsOf('dynamodb', dynamodb('TransactWriteItems', { TransactItems: [{ Put: {} }] }))).toEqual({
      error: 'TransactWriteItems: TransactItems[0] names no table (given null)',
    });
    expect(accessRequestsOf('dynamodb', dynamodb('ExecuteStatement', { Statement: 'EXISTS(SELECT 1)' }))).toEqual({
      error: 'ExecuteStatement: Statement is not a statement read locally (given "EXISTS(SELECT 1)")',
    });
    expect(accessRequestsOf('dynamodb', dynamodb('BatchExecuteStatement', { Statements: [{}] }))).toEqual({
      error: 'BatchExecuteStatement: Statements[0] is not a statement read locally (given null)',
    });
  });

  it("checks each PartiQL statement as its verb's action on the table or index it names", () => {
    const statements = [
      { Statement: 'INSERT INTO "Ledger-1" VALUE {\'pk\': ?}' },
      { Statement: 'UPDATE "Ledger-1" SET "status" = ? WHERE "pk" = ?' },
      { Statement: 'delete from Orders where pk = ?' },
      { Statement: 'SELECT "a", "from" FROM "Ledger-1"."byJob" WHERE pk = ?' },
    ];
    expect(pairs('dynamodb', dynamodb('BatchExecuteStatement', { Statements: statements }))).toEqual([
      ['dynamodb:PartiQLInsert', `${ARN}/Ledger-1`],
      ['dynamodb:PartiQLUpdate', `${ARN}/Ledger-1`],
      ['dynamodb:PartiQLDelete', `${ARN}/Orders`],
      ['dynamodb:PartiQLSelect', `${ARN}/Ledger-1/index/byJob`],
    ]);
    expect(pairs('dynamodb', dynamodb('ExecuteStatement', { Statement: 'SELECT * FROM T' }))).toEqual([
      ['dynamodb:PartiQLSelect', `${ARN}/T`],
    ]);
    expect(
      pairs(
        'dynamodb',
        dynamodb('ExecuteTransaction', { TransactStatements: [{ Statement: 'UPDATE "a""b" SET x = 1' }] }),
      ),
    ).toEqual([['dynamodb:PartiQLUpdate', `${ARN}/a"b`]]);
  });
});

describe('Function: accessRequestsOf (SQS)', () => {
  it("maps the JSON protocol to sqs:<Op> on the queue named by the QueueUrl's last segment", () => {
    expect(pairs('sqs', sqsJson('SendMessage', { QueueUrl: QUEUE_URL, MessageBody: 'x' }))).toEqual([
      ['sqs:SendMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', sqsJson('ReceiveMessage', { QueueUrl: QUEUE_URL }))).toEqual([
      ['sqs:ReceiveMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', sqsJson('GetQueueUrl', { QueueName: 'S-jobs' }))).toEqual([
      ['sqs:GetQueueUrl', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', sqsJson('CreateQueue', { QueueName: 'new' }))).toEqual([
      ['sqs:CreateQueue', `${QUEUE_ARN}:new`],
    ]);
    expect(pairs('sqs', sqsJson('ListQueues', {}))).toEqual([['sqs:ListQueues', '*']]);
  });

  it('checks a batch as its single action', () => {
    expect(pairs('sqs', sqsJson('SendMessageBatch', { QueueUrl: QUEUE_URL, Entries: [] }))).toEqual([
      ['sqs:SendMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', sqsJson('DeleteMessageBatch', { QueueUrl: QUEUE_URL, Entries: [] }))).toEqual([
      ['sqs:DeleteMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', sqsJson('ChangeMessageVisibilityBatch', { QueueUrl: QUEUE_URL, Entries: [] }))).toEqual([
      ['sqs:ChangeMessageVisibility', `${QUEUE_ARN}:S-jobs`],
    ]);
  });

  it('reads the query protocol from a form body, the query string, or the path of the queue posted to', () => {
    expect(pairs('sqs', form({ Action: 'SendMessage', QueueUrl: QUEUE_URL, MessageBody: 'x' }))).toEqual([
      ['sqs:SendMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', form({ Action: 'DeleteMessageBatch', QueueUrl: QUEUE_URL }))).toEqual([
      ['sqs:DeleteMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    const get = {
      method: 'GET',
      path: `/?Action=PurgeQueue&QueueUrl=${encodeURIComponent(QUEUE_URL)}`,
      headers: {},
      body: '',
    };
    expect(pairs('sqs', get)).toEqual([['sqs:PurgeQueue', `${QUEUE_ARN}:S-jobs`]]);
    expect(pairs('sqs', form({ Action: 'ReceiveMessage' }, '/000000000000/S-jobs'))).toEqual([
      ['sqs:ReceiveMessage', `${QUEUE_ARN}:S-jobs`],
    ]);
    expect(pairs('sqs', form({ Action: 'ListQueues' }))).toEqual([['sqs:ListQueues', '*']]);
  });

  it('answers an error for what is not an SQS call or names no queue', () => {
    expect(accessRequestsOf('sqs', form({ Action: 'Publish', TopicArn: 'arn:aws:sns:us-east-1:0:t' }))).toEqual({
      error: 'Publish is not an SQS action',
    });
    expect(accessRequestsOf('sqs', sqsJson('SendMessage', { MessageBody: 'x' }))).toEqual({
      error: 'SendMessage: no queue named in POST /',
    });
    expect(accessRequestsOf('sqs', { ...sqsJson('SendMessage', {}), body: 'not json' })).toMatchObject({
      error: expect.stringContaining('not a JSON object'),
    });
  });
});

describe('Function: accessRequestsOf (SES)', () => {
  const identities = (address: string, domain: string) => [
    `${SES_ARN}:identity/${address}`,
    `${SES_ARN}:identity/${domain}`,
  ];

  it('v1 SendEmail: the address and its domain as alternatives, the bare address as ses:FromAddress', () => {
    const request = form({
      Action: 'SendEmail',
      Source: '"Jobs" <jobs@Example.com>',
      'Destination.ToAddresses.member.1': 'a@example.com',
      'Destination.CcAddresses.member.1': 'B <b@example.com>',
      'Message.Subject.Data': 'hi',
    });
    expect(accessRequestsOf('ses', request)).toEqual([
      {
        action: 'ses:SendEmail',
        resources: identities('jobs@Example.com', 'example.com'),
        context: {
          'ses:FromAddress': ['jobs@Example.com'],
          'ses:ApiVersion': ['1'],
          'ses:Recipients': ['a@example.com', 'b@example.com'],
        },
      },
    ]);
  });

  it("v1 SendRawEmail: ses:SendRawEmail, the sender from the raw message's From header when Source is absent", () => {
    const raw =
      'From: "Jobs"\r\n <jobs@example.com>\r\nTo: a@example.com, "C" <c@example.com>\r\nSubject: hi\r\n\r\nFrom: x@y.z';
    const request = form({ Action: 'SendRawEmail', 'RawMessage.Data': Buffer.from(raw).toString('base64') });
    expect(accessRequestsOf('ses', request)).toEqual([
      {
        action: 'ses:SendRawEmail',
        resources: identities('jobs@example.com', 'example.com'),
        context: {
          'ses:FromAddress': ['jobs@example.com'],
          'ses:ApiVersion': ['1'],
          'ses:Recipients': ['a@example.com', 'c@example.com'],
        },
      },
    ]);
    expect(pairs('ses', form({ Action: 'SendRawEmail', Source: 'ops@example.org', 'RawMessage.Data': '' }))).toEqual([
      ['ses:SendRawEmail', ...identities('ops@example.org', 'example.org')],
    ]);
  });

  it('v2 SendEmail: always ses:SendEmail, from FromEmailAddress or the raw content', () => {
    const body = { FromEmailAddress: 'Jobs <jobs@example.com>', Destination: { ToAddresses: ['a@example.com'] } };
    const request = { method: 'POST', path: '/v2/email/outbound-emails', headers: {}, body: JSON.stringify(body) };
    expect(accessRequestsOf('ses', request)).toEqual([
      {
        action: 'ses:SendEmail',
        resources: identities('jobs@example.com', 'example.com'),
        context: {
          'ses:FromAddress': ['jobs@example.com'],
          'ses:ApiVersion': ['2'],
          'ses:Recipients': ['a@example.com'],
        },
      },
    ]);
    const raw = { Content: { Raw: { Data: Buffer.from('from: ops@example.org\n\nbody').toString('base64') } } };
    expect(pairs('ses', { ...request, body: JSON.stringify(raw) })).toEqual([
      ['ses:SendEmail', ...identities('ops@example.org', 'example.org')],
    ]);
  });

  it("asks for nothing on the emulator's own routes; maps other v1 actions to ses:<Action> on *", () => {
    expect(accessRequestsOf('ses', { method: 'GET', path: '/store?since=1', headers: {}, body: '' })).toEqual([]);
    expect(accessRequestsOf('ses', { method: 'GET', path: '/health-check', headers: {}, body: '' })).toEqual([]);
    expect(pairs('ses', form({ Action: 'GetSendQuota' }))).toEqual([['ses:GetSendQuota', '*']]);
    expect(pairs('ses', { method: 'GET', path: '/v2/email/account', headers: {}, body: '' })).toEqual([
      ['ses:GetAccount', '*'],
    ]);
    expect(pairs('ses', { method: 'DELETE', path: '/v2/email/templates/welcome', headers: {}, body: '' })).toEqual([
      ['ses:DeleteEmailTemplate', `${SES_ARN}:template/welcome`],
    ]);
  });

  it('answers an error for an unknown v2 path, a send with no sender, or a body it cannot read', () => {
    expect(accessRequestsOf('ses', { method: 'GET', path: '/v2/email/identities/x', headers: {}, body: '' })).toEqual({
      error: 'GET /v2/email/identities/x is not an SES v2 operation the local stack knows',
    });
    expect(accessRequestsOf('ses', form({ Action: 'SendEmail', Source: 'nobody' }))).toEqual({
      error: 'ses:SendEmail: no sender address (given "nobody")',
    });
    expect(
      accessRequestsOf('ses', { method: 'POST', path: '/v2/email/outbound-emails', headers: {}, body: '{' }),
    ).toEqual({ error: 'POST /v2/email/outbound-emails: the body is not JSON' });
    expect(accessRequestsOf('ses', form({ Version: '2010-12-01' }))).toEqual({ error: 'SES request with no Action' });
  });
});

describe('Functions: deniedMessage and accessDeniedResponse', () => {
  const caller = { roleName: 'S-Role', functionName: 'S-Fn' };
  const request = { action: 'dynamodb:Scan', resources: [`${ARN}/T`], context: {} };

  it('words the message as AWS does, for a missing grant and for an explicit deny', () => {
    expect(deniedMessage(caller, request, { allowed: false, why: 'no-allow', detail: '', resource: `${ARN}/T` })).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/S-Role/S-Fn is not authorized to perform: dynamodb:Scan ' +
        `on resource: ${ARN}/T because no identity-based policy allows the dynamodb:Scan action`,
    );
    expect(
      deniedMessage(caller, request, { allowed: false, why: 'explicit-deny', detail: '', resource: `${ARN}/T` }),
    ).toMatch(/ on resource: \S+ with an explicit deny in an identity-based policy$/);
  });

  it("answers in each service's protocol", () => {
    const dynamo = accessDeniedResponse('dynamodb', dynamodb('Scan', {}), 'm <1>');
    expect([dynamo.status, dynamo.headers['content-type'], JSON.parse(dynamo.body)]).toEqual([
      400,
      'application/x-amz-json-1.0',
      { __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'm <1>' },
    ]);
    const sqs = accessDeniedResponse('sqs', sqsJson('SendMessage', {}), 'm');
    expect([sqs.status, sqs.headers['x-amzn-query-error'], JSON.parse(sqs.body)]).toEqual([
      400,
      'AccessDenied;Sender',
      { __type: 'com.amazon.coral.service#AccessDeniedException', message: 'm' },
    ]);
    const query = accessDeniedResponse('sqs', form({ Action: 'SendMessage' }), 'm <1> & "2"');
    expect(query.status).toBe(403);
    expect(query.headers['content-type']).toBe('text/xml');
    expect(query.body.replace(/<RequestId>[\w-]+</, '<RequestId>id<')).toBe(
      '<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>' +
        '<Code>AccessDenied</Code><Message>m &lt;1&gt; &amp; &quot;2&quot;</Message></Error>' +
        '<RequestId>id</RequestId></ErrorResponse>',
    );
    const v1 = accessDeniedResponse('ses', form({ Action: 'SendEmail' }), 'm');
    expect([v1.status, v1.headers['content-type']]).toEqual([403, 'text/xml']);
    expect(v1.body).toContain('<Code>AccessDenied</Code><Message>m</Message>');
    const v2 = accessDeniedResponse(
      'ses',
      { method: 'POST', path: '/v2/email/outbound-emails', headers: {}, body: '' },
      'm',
    );
    expect([v2.status, v2.headers['x-amzn-errortype'], JSON.parse(v2.body)]).toEqual([
      403,
      'AccessDeniedException',
      { message: 'm' },
    ]);
  });
});
