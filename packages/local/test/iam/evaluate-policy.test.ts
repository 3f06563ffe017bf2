import { describe, expect, it } from 'vitest';
import { type AccessRequest, evaluate, firstRefusal } from '../../src/runner/iam/evaluate-policy.ts';
import type { PolicyStatement } from '../../src/runner/iam/role-policies.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/T';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:jobs-queue';
const ADDRESS = 'arn:aws:ses:us-east-1:000000000000:identity/jobs@example.com';
const DOMAIN = 'arn:aws:ses:us-east-1:000000000000:identity/example.com';

const allow = (actions: string[], resources: string[], conditions: PolicyStatement['conditions'] = {}) =>
  ({ effect: 'Allow', actions, resources, conditions, source: 'Policy' }) as const;
const deny = (actions: string[], resources: string[], conditions: PolicyStatement['conditions'] = {}) =>
  ({ effect: 'Deny', actions, resources, conditions, source: 'Guard' }) as const;
const ask = (action: string, resource: string, context: AccessRequest['context'] = {}): AccessRequest => ({
  action,
  resources: [resource],
  context,
});
const allowed = (statements: readonly PolicyStatement[], request: AccessRequest) =>
  evaluate(statements, request).allowed;

describe('Function: evaluate (actions and resources)', () => {
  it('denies by default, naming the action and resource nothing allows', () => {
    expect(evaluate([allow(['dynamodb:GetItem'], [TABLE])], ask('dynamodb:Scan', TABLE))).toEqual({
      allowed: false,
      why: 'no-allow',
      detail: `no statement allows dynamodb:Scan on ${TABLE}`,
      resource: TABLE,
    });
    expect(evaluate([], ask('dynamodb:Scan', TABLE)).allowed).toBe(false);
  });

  it('matches actions without regard to case, with * and ? wildcards', () => {
    const statement = allow(['DynamoDB:getitem', 'sqs:Send*', 's?s:ReceiveMessage'], ['*']);
    expect(evaluate([statement], ask('dynamodb:GetItem', TABLE))).toEqual({
      allowed: true,
      by: statement,
      resource: TABLE,
    });
    expect(allowed([statement], ask('sqs:SendMessage', QUEUE))).toBe(true);
    expect(allowed([statement], ask('sqs:ReceiveMessage', QUEUE))).toBe(true);
    expect(allowed([statement], ask('sqs:DeleteMessage', QUEUE))).toBe(false);
    expect(allowed([statement], ask('dynamodb:GetItems', TABLE))).toBe(false);
    expect(allowed([allow(['dynamodb:*'], ['*'])], ask('dynamodb:Scan', TABLE))).toBe(true);
    expect(allowed([allow(['dynamodb:*'], ['*'])], ask('sqs:SendMessage', QUEUE))).toBe(false);
    expect(allowed([allow(['*'], ['*'])], ask('ses:SendEmail', ADDRESS))).toBe(true);
  });

  it('matches resources with regard to case; * spans / and :, ? is one character', () => {
    expect(allowed([allow(['dynamodb:Query'], [TABLE])], ask('dynamodb:Query', TABLE.replace('/T', '/t')))).toBe(false);
    expect(allowed([allow(['dynamodb:Query'], [TABLE])], ask('dynamodb:Query', `${TABLE}/index/byJob`))).toBe(false);
    expect(allowed([allow(['dynamodb:Query'], [`${TABLE}*`])], ask('dynamodb:Query', `${TABLE}/index/byJob`))).toBe(
      true,
    );
    expect(allowed([allow(['sqs:*'], ['arn:aws:sqs:*'])], ask('sqs:SendMessage', QUEUE))).toBe(true);
    expect(
      allowed([allow(['sqs:*'], ['arn:aws:sqs:us-east-1:000000000000:jobs-?ueue'])], ask('sqs:Purge', QUEUE)),
    ).toBe(true);
    expect(allowed([allow(['sqs:*'], ['arn:aws:sqs:us-east-1:000000000000:jobs-?'])], ask('sqs:Purge', QUEUE))).toBe(
      false,
    );
    // A dot or a bracket in a pattern is no regular expression.
    expect(
      allowed([allow(['sqs:*'], ['arn:aws:sqs:us-east-1:000000000000:jobs.queue'])], ask('sqs:Purge', QUEUE)),
    ).toBe(false);
  });

  it('honours NotAction and NotResource', () => {
    const everythingButDelete: PolicyStatement = {
      effect: 'Allow',
      notActions: ['sqs:Delete*'],
      notResources: [TABLE],
      conditions: {},
      source: 'Policy',
    };
    expect(allowed([everythingButDelete], ask('sqs:SendMessage', QUEUE))).toBe(true);
    expect(allowed([everythingButDelete], ask('sqs:DeleteMessage', QUEUE))).toBe(false);
    expect(allowed([everythingButDelete], ask('dynamodb:GetItem', TABLE))).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, whatever their order', () => {
    const statements = [allow(['dynamodb:*'], ['*']), deny(['dynamodb:DeleteItem'], [TABLE])];
    expect(evaluate(statements, ask('dynamodb:DeleteItem', TABLE))).toEqual({
      allowed: false,
      why: 'explicit-deny',
      detail: `Guard denies dynamodb:DeleteItem on ${TABLE}`,
      resource: TABLE,
    });
    expect(evaluate([...statements].reverse(), ask('dynamodb:DeleteItem', TABLE)).allowed).toBe(false);
    expect(allowed(statements, ask('dynamodb:PutItem', TABLE))).toBe(true);
  });
});

describe('Function: evaluate (conditions)', () => {
  const from = (operator: string, ...values: string[]) =>
    allow(['ses:SendEmail'], [ADDRESS], { [operator]: { 'ses:FromAddress': values } });
  const send = (context: AccessRequest['context'] = {}) => ask('ses:SendEmail', ADDRESS, context);

  it('StringEquals: holds for one of its values, says which condition failed and with what', () => {
    const statement = from('StringEquals', 'jobs@example.com', 'ops@example.com');
    expect(allowed([statement], send({ 'ses:FromAddress': ['jobs@example.com'] }))).toBe(true);
    expect(allowed([statement], send({ 'ses:FromAddress': ['ops@example.com'] }))).toBe(true);
    expect(allowed([statement], send({ 'ses:FromAddress': ['JOBS@example.com'] }))).toBe(false);
    expect(
      evaluate([from('StringEquals', 'jobs@example.com')], send({ 'ses:FromAddress': ['other@example.com'] })),
    ).toEqual({
      allowed: false,
      why: 'no-allow',
      detail:
        `Policy allows ses:SendEmail on ${ADDRESS} only when ses:FromAddress StringEquals jobs@example.com ` +
        '(given other@example.com)',
      resource: ADDRESS,
    });
  });

  it('fails a condition on a key the request lacks, except with IfExists and for the negated operators', () => {
    expect(evaluate([from('StringEquals', 'jobs@example.com')], send())).toMatchObject({
      allowed: false,
      detail: expect.stringContaining('(given no value)'),
    });
    expect(allowed([from('StringLike', '*')], send())).toBe(false);
    expect(allowed([from('StringEqualsIfExists', 'jobs@example.com')], send())).toBe(true);
    expect(allowed([from('StringEqualsIfExists', 'jobs@example.com')], send({ 'ses:FromAddress': ['x@y.z'] }))).toBe(
      false,
    );
    expect(allowed([from('StringNotEquals', 'jobs@example.com')], send())).toBe(true);
    expect(allowed([from('StringNotLike', '*@example.com')], send())).toBe(true);
  });

  it('StringNotEquals, StringEqualsIgnoreCase, StringLike and StringNotLike compare as IAM does', () => {
    const jobs = { 'ses:FromAddress': ['Jobs@Example.com'] };
    expect(allowed([from('StringNotEquals', 'Jobs@Example.com', 'x@y.z')], send(jobs))).toBe(false);
    expect(allowed([from('StringNotEquals', 'jobs@example.com')], send(jobs))).toBe(true);
    expect(allowed([from('StringEqualsIgnoreCase', 'jobs@example.com')], send(jobs))).toBe(true);
    expect(allowed([from('StringNotEqualsIgnoreCase', 'jobs@example.com')], send(jobs))).toBe(false);
    expect(allowed([from('StringLike', '*@Example.com')], send(jobs))).toBe(true);
    expect(allowed([from('StringLike', '*@example.com')], send(jobs))).toBe(false);
    expect(allowed([from('StringLike', 'Jobs@Exampl?.com')], send(jobs))).toBe(true);
    expect(allowed([from('StringNotLike', '*@Example.com')], send(jobs))).toBe(false);
    expect(allowed([from('StringNotLike', 'ops@*')], send(jobs))).toBe(true);
  });

  it('needs every operator and every key (AND); condition keys match without regard to case', () => {
    const statement = allow(['ses:SendEmail'], [ADDRESS], {
      StringEquals: { 'ses:FromAddress': ['jobs@example.com'], 'ses:ApiVersion': ['2'] },
      StringLike: { 'ses:Recipients': ['*@example.com'] },
    });
    const context = {
      'ses:FromAddress': ['jobs@example.com'],
      'SES:apiversion': ['2'],
      'ses:Recipients': ['a@example.com'],
    };
    expect(allowed([statement], send(context))).toBe(true);
    expect(allowed([statement], send({ ...context, 'SES:apiversion': ['1'] }))).toBe(false);
    expect(allowed([statement], send({ ...context, 'ses:Recipients': ['a@elsewhere.com'] }))).toBe(false);
  });

  it('ForAllValues needs every value of the key (and holds without any); ForAnyValue needs one', () => {
    const recipients = (operator: string) =>
      allow(['ses:SendEmail'], [ADDRESS], { [operator]: { 'ses:Recipients': ['*@example.com'] } });
    const both = send({ 'ses:Recipients': ['a@example.com', 'b@elsewhere.com'] });
    expect(allowed([recipients('ForAllValues:StringLike')], both)).toBe(false);
    expect(allowed([recipients('ForAllValues:StringLike')], send({ 'ses:Recipients': ['a@example.com'] }))).toBe(true);
    expect(allowed([recipients('ForAllValues:StringLike')], send())).toBe(true);
    expect(allowed([recipients('ForAnyValue:StringLike')], both)).toBe(true);
    expect(allowed([recipients('ForAnyValue:StringLike')], send())).toBe(false);
    expect(allowed([recipients('ForAnyValue:StringNotLike')], both)).toBe(true);
    expect(allowed([recipients('ForAllValues:StringNotLike')], both)).toBe(false);
  });

  it('applies a Deny only when its condition holds', () => {
    const statements = [
      allow(['ses:SendEmail'], ['*']),
      deny(['ses:SendEmail'], ['*'], { StringNotEquals: { 'ses:FromAddress': ['jobs@example.com'] } }),
    ];
    expect(allowed(statements, send({ 'ses:FromAddress': ['jobs@example.com'] }))).toBe(true);
    expect(evaluate(statements, send({ 'ses:FromAddress': ['x@example.com'] }))).toMatchObject({
      why: 'explicit-deny',
    });
  });
});

describe('Function: evaluate (conditions not evaluated locally)', () => {
  const secure = { Bool: { 'aws:SecureTransport': ['true'] } };

  it('refuses a request only such a statement would allow, naming the operator and key', () => {
    expect(evaluate([allow(['sqs:SendMessage'], [QUEUE], secure)], ask('sqs:SendMessage', QUEUE))).toEqual({
      allowed: false,
      why: 'unsupported-condition',
      detail:
        `Policy allows sqs:SendMessage on ${QUEUE} under a condition not evaluated locally: ` +
        'Bool on aws:SecureTransport',
      resource: QUEUE,
    });
    const numeric = allow(['sqs:SendMessage'], [QUEUE], { NumericLessThan: { 'sqs:DelaySeconds': ['5'] } });
    expect(evaluate([numeric], ask('sqs:SendMessage', QUEUE))).toMatchObject({
      why: 'unsupported-condition',
      detail: expect.stringContaining('NumericLessThan on sqs:DelaySeconds'),
    });
  });

  it('does not take a condition key it cannot give a value for as absent, whatever the operator', () => {
    const leading = allow(['dynamodb:GetItem'], [TABLE], {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['tenant-1'] },
    });
    expect(evaluate([leading], ask('dynamodb:GetItem', TABLE))).toMatchObject({
      allowed: false,
      why: 'unsupported-condition',
      detail: expect.stringContaining('ForAllValues:StringEquals on dynamodb:LeadingKeys'),
    });
  });

  it('lets a clean Allow win over an Allow with such a condition, in either order', () => {
    const statements = [allow(['sqs:SendMessage'], [QUEUE], secure), allow(['sqs:*'], ['*'])];
    expect(evaluate(statements, ask('sqs:SendMessage', QUEUE))).toMatchObject({ allowed: true, by: statements[1] });
    expect(allowed([...statements].reverse(), ask('sqs:SendMessage', QUEUE))).toBe(true);
  });

  it('refuses when a Deny with such a condition might apply, even if an Allow applies', () => {
    const statements = [
      allow(['sqs:*'], ['*']),
      deny(['sqs:DeleteQueue'], ['*'], { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } }),
    ];
    expect(evaluate(statements, ask('sqs:DeleteQueue', QUEUE))).toMatchObject({
      why: 'unsupported-condition',
      detail: expect.stringContaining('Guard denies sqs:DeleteQueue'),
    });
    expect(allowed(statements, ask('sqs:SendMessage', QUEUE))).toBe(true);
  });

  it('ignores such a condition when a supported one of the statement fails, or the statement does not apply', () => {
    const statement = allow(['ses:SendEmail'], [ADDRESS], {
      StringEquals: { 'ses:FromAddress': ['jobs@example.com'] },
      DateGreaterThan: { 'aws:CurrentTime': ['2020-01-01T00:00:00Z'] },
    });
    expect(
      evaluate([statement], ask('ses:SendEmail', ADDRESS, { 'ses:FromAddress': ['x@example.com'] })),
    ).toMatchObject({
      why: 'no-allow',
      detail: expect.stringContaining('only when ses:FromAddress StringEquals jobs@example.com (given x@example.com)'),
    });
    expect(evaluate([statement], ask('ses:SendRawEmail', ADDRESS))).toMatchObject({ why: 'no-allow' });
  });
});

describe('Function: evaluate (alternative resources) and firstRefusal', () => {
  const sendFrom = (address: string): AccessRequest => ({
    action: 'ses:SendEmail',
    resources: [`arn:aws:ses:us-east-1:000000000000:identity/${address}`, DOMAIN],
    context: { 'ses:FromAddress': [address] },
  });
  const domainOnly = allow(['ses:SendEmail'], [DOMAIN], { StringEquals: { 'ses:FromAddress': ['jobs@example.com'] } });

  it('allows when any one of the resources is allowed', () => {
    expect(evaluate([domainOnly], sendFrom('jobs@example.com'))).toMatchObject({ allowed: true, resource: DOMAIN });
    expect(allowed([allow(['ses:SendEmail'], [ADDRESS])], sendFrom('jobs@example.com'))).toBe(true);
  });

  it('explains a refusal by the alternative that says most: a failed condition over a bare no-allow', () => {
    expect(evaluate([domainOnly], sendFrom('other@example.com'))).toEqual({
      allowed: false,
      why: 'no-allow',
      detail:
        `Policy allows ses:SendEmail on ${DOMAIN} only when ses:FromAddress StringEquals jobs@example.com ` +
        '(given other@example.com)',
      resource: DOMAIN,
    });
    expect(evaluate([], sendFrom('jobs@example.com'))).toEqual({
      allowed: false,
      why: 'no-allow',
      detail: `no statement allows ses:SendEmail on ${ADDRESS} or ${DOMAIN}`,
      resource: ADDRESS,
    });
  });

  it('firstRefusal: the first request of a call that is refused, or undefined when all are allowed', () => {
    const statements = [allow(['dynamodb:PutItem'], [TABLE])];
    const put = ask('dynamodb:PutItem', TABLE);
    const remove = ask('dynamodb:DeleteItem', TABLE);
    expect(firstRefusal(statements, [put, put])).toBeUndefined();
    expect(firstRefusal(statements, [])).toBeUndefined();
    expect(firstRefusal(statements, [put, remove])).toEqual({
      request: remove,
      refusal: {
        allowed: false,
        why: 'no-allow',
        detail: `no statement allows dynamodb:DeleteItem on ${TABLE}`,
        resource: TABLE,
      },
    });
  });
});
