import { describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/runner/cloud-assembly.ts';
import type { IntrinsicResolver } from '../../src/runner/intrinsics.ts';
import { functionIdentities } from '../../src/runner/iam/role-policies.ts';
import { buildLocalModel } from '../../src/runner/local-model.ts';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/S-Table';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:S-Queue';

/** As the local model resolves: `S-<logical ID>` for names, the local ARNs of tables and queues. */
function resolverOf(resources: Record<string, TemplateResource>): IntrinsicResolver {
  return {
    ref: (id) => {
      if (!resources[id]) throw new Error(`Ref to "${id}", which is not in the stack`);
      return `S-${id}`;
    },
    getAtt: (id, attribute) => {
      const type = resources[id]?.Type;
      if (type === 'AWS::DynamoDB::Table' && attribute === 'Arn') return TABLE_ARN;
      if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return QUEUE_ARN;
      return `arn:aws:local:us-east-1:000000000000:S-${id}/${attribute}`;
    },
  };
}

const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };
const resources: Record<string, TemplateResource> = {
  Table: { Type: 'AWS::DynamoDB::Table' },
  Queue: { Type: 'AWS::SQS::Queue' },
  Role: {
    Type: 'AWS::IAM::Role',
    Properties: {
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          ],
        },
        { Ref: 'Managed' },
      ],
      Policies: [
        {
          PolicyName: 'inline',
          PolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }],
          },
        },
      ],
    },
  },
  RolePolicy: {
    Type: 'AWS::IAM::Policy',
    Properties: {
      Roles: [{ Ref: 'Role' }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:Query'],
            Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/byJob']] }],
          },
          {
            Effect: 'Allow',
            Action: 'ses:SendEmail',
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com' },
            Condition: {
              StringEquals: { 'ses:FromAddress': 'jobs@example.com' },
              Bool: { 'aws:SecureTransport': true },
            },
          },
          { Effect: 'Deny', NotAction: 'sqs:*', NotResource: [QUEUE_ARN] },
        ],
      },
    },
  },
  Managed: {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { PolicyDocument: { Statement: { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' } } },
  },
  OtherRole: { Type: 'AWS::IAM::Role' },
  OtherPolicy: {
    Type: 'AWS::IAM::Policy',
    Properties: {
      Roles: [{ Ref: 'OtherRole' }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    },
  },
  Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
  Outsider: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/external' } },
  NotARole: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
};

describe('Function: functionIdentities', () => {
  it("collects the role's attached, managed-in-stack and inline policies, resolved, with their sources", () => {
    const identity = functionIdentities(resources, resolverOf(resources)).get('Fn');
    expect(identity).toEqual({
      functionLogicalId: 'Fn',
      roleLogicalId: 'Role',
      functionName: 'S-Fn',
      roleName: 'S-Role',
      managedPolicies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      unresolved: [],
      statements: [
        {
          effect: 'Allow',
          actions: ['dynamodb:GetItem', 'dynamodb:Query'],
          resources: [TABLE_ARN, `${TABLE_ARN}/index/byJob`],
          conditions: {},
          source: 'RolePolicy',
        },
        {
          effect: 'Allow',
          actions: ['ses:SendEmail'],
          resources: ['arn:aws:ses:us-east-1:000000000000:identity/example.com'],
          conditions: {
            StringEquals: { 'ses:FromAddress': ['jobs@example.com'] },
            Bool: { 'aws:SecureTransport': ['true'] },
          },
          source: 'RolePolicy',
        },
        { effect: 'Deny', notActions: ['sqs:*'], notResources: [QUEUE_ARN], conditions: {}, source: 'RolePolicy' },
        { effect: 'Allow', actions: ['sqs:ReceiveMessage'], resources: ['*'], conditions: {}, source: 'Managed' },
        {
          effect: 'Allow',
          actions: ['sqs:SendMessage'],
          resources: [QUEUE_ARN],
          conditions: {},
          source: 'Role.Policies[0]',
        },
      ],
    });
  });

  it('gives a function whose role is not in the stack no statements, and says so with an empty role ID', () => {
    const identities = functionIdentities(resources, resolverOf(resources));
    expect(identities.get('Outsider')).toMatchObject({ roleLogicalId: '', roleName: 'external', statements: [] });
    expect(identities.get('NotARole')).toMatchObject({ roleLogicalId: '', statements: [] });
    expect([...identities.keys()]).toEqual(['Fn', 'Outsider', 'NotARole']);
  });

  it('leaves out an Allow that does not resolve, and widens such a Deny to its actions on every resource', () => {
    const broken: Record<string, TemplateResource> = {
      Role: { Type: 'AWS::IAM::Role' },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { Ref: 'Elsewhere' } },
              { Effect: 'Deny', Action: 'sqs:DeleteQueue', Resource: { 'Fn::ImportValue': 'Shared' } },
              { Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
            ],
          },
        },
      },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    };
    const identity = functionIdentities(broken, resolverOf(broken)).get('Fn');
    expect(identity?.statements).toEqual([
      { effect: 'Deny', actions: ['sqs:DeleteQueue'], resources: ['*'], conditions: {}, source: 'Policy' },
      { effect: 'Allow', actions: ['sqs:ListQueues'], resources: ['*'], conditions: {}, source: 'Policy' },
    ]);
    expect(identity?.unresolved).toEqual([
      'Policy statement 0: Ref to "Elsewhere", which is not in the stack',
      'Policy statement 1: Fn::ImportValue is not supported locally (given {"Fn::ImportValue":"Shared"})',
    ]);
  });

  it("is each LocalFunction's identity in the local model, with the model's local names", () => {
    const { Outsider, NotARole, ...rest } = resources;
    const Fn = { ...resources.Fn!, Metadata: { 'aws:asset:path': 'asset.fn', 'aws:cdk:path': 'Stack/job/Fn' } };
    const model = buildLocalModel(
      { dir: '/tmp/cdk.out', stackName: 'Stack', template: { Resources: { ...rest, Fn } } },
      { sqs: 'http://127.0.0.1:4566' },
    );
    const fn = model.functions.find((f) => f.logicalId === 'Fn');
    expect(fn?.identity).toMatchObject({ roleLogicalId: 'Role', roleName: 'Stack-Role', functionName: 'Stack-Fn' });
    expect(fn?.identity.statements[0]?.resources).toEqual([
      'arn:aws:dynamodb:us-east-1:000000000000:table/Stack-Table',
      'arn:aws:dynamodb:us-east-1:000000000000:table/Stack-Table/index/byJob',
    ]);
  });
});
