import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DisableRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanupJob } from '#shared/jobs/cleanup';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { processOrderJob } from '#shared/jobs/process-order';
import * as z from '@serverless-jobs/runtime/zod';
import { jobOutputKey, StackOutputKey } from '@serverless-jobs/runtime/contracts';
import { AwsScheduleControl } from '@serverless-jobs/cli/ops';
import { JobsOps } from '@serverless-jobs/cli/ops';
import { loadStackOutputs } from '@serverless-jobs/cli/ops';
import { dynamo, sqs } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';
import { deadLetters, receiveAll, stackOutputsFor } from '#test/helpers/ops-fixture';

const scheduler = mockClient(SchedulerClient);
const events = mockClient(EventBridgeClient);
const cloudFormation = mockClient(CloudFormationClient);
const ROLE = 'arn:aws:iam::123456789012:role/SchedulerRoleForTarget-cleanup';
const ruleJob = defineJob({
  name: 'nightly-rule',
  description: 'A UTC job on an EventBridge rule.',
  payload: z.partial(processOrderJob.payload),
  schedules: [{ name: 'nightly', expression: 'cron(0 1 * * ? *)', payload: {}, via: 'rule' }],
});
const JOBS = [cleanupJob, processOrderJob, ruleJob];
const DELAYED_ROLE = 'arn:aws:iam::123456789012:role/delayed-send';

/** What GetSchedule answers for cleanup/daily as the stack deploys it. */
const deployed = (name: string) => ({
  Name: name,
  GroupName: 'serverless-jobs-test',
  ScheduleExpression: 'cron(0 2 * * ? *)',
  ScheduleExpressionTimezone: 'UTC',
  State: 'ENABLED' as const,
  Description: 'cleanup/daily: cron(0 2 * * ? *) in UTC',
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  Target: {
    Arn: 'arn:aws:sqs:us-east-1:123456789012:cleanup',
    RoleArn: ROLE,
    Input: JSON.stringify({
      job: 'cleanup',
      schedule: 'daily',
      occurrence: '<aws.scheduler.scheduled-time>',
      timeZone: 'UTC',
      payload: {},
    }),
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
  },
});

/** fauxqs behind a proxy that answers StartMessageMoveTask, which fauxqs lacks, and records it. */
function moveTaskProxy(target: string, recorded: unknown[]): Promise<Server> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const c of request) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (request.headers['x-amz-target'] === 'AmazonSQS.StartMessageMoveTask') {
      recorded.push(JSON.parse(body));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TaskHandle":"task-1"}');
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const answer = await fetch(new URL(request.url ?? '/', target), {
      method: request.method,
      headers,
      body: body === '' ? undefined : body,
    });
    response
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      .end(await answer.text());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Class: AwsScheduleControl', () => {
  let outputs: Record<string, string>;
  let clock: FakeClock;
  const control = () =>
    new AwsScheduleControl({
      scheduler: new SchedulerClient({}),
      events: new EventBridgeClient({}),
      sqs: sqs(),
      outputs,
      jobs: JOBS,
      clock,
    });
  const ops = (client = sqs()) =>
    new JobsOps({ sqs: client, dynamodb: dynamo(), outputs, jobs: JOBS, clock, schedules: control(), target: 'aws' });

  beforeAll(async () => {
    outputs = await stackOutputsFor(JOBS);
  });

  beforeEach(() => {
    scheduler.reset();
    events.reset();
    cloudFormation.reset();
    clock = new FakeClock(Date.parse('2026-11-24T08:00:00.000Z'));
    scheduler.on(GetScheduleCommand).callsFake((input: { Name: string }) => deployed(input.Name));
  });

  it('pauses with UpdateSchedule State DISABLED and the rest of the definition unchanged', async () => {
    await ops().pause('cleanup');
    const name = outputs[jobOutputKey.schedule('cleanup', 'daily')]!;
    const [call] = scheduler.commandCalls(UpdateScheduleCommand);
    const { Name, GroupName, ScheduleExpression, ScheduleExpressionTimezone, Description, FlexibleTimeWindow, Target } =
      deployed(name);
    expect(call!.args[0].input).toEqual({
      Name,
      GroupName,
      ScheduleExpression,
      ScheduleExpressionTimezone,
      Description,
      FlexibleTimeWindow,
      Target,
      State: 'DISABLED',
    });
  });

  it('changes only the expression and time zone on a schedule update', async () => {
    await ops().updateSchedule('cleanup', 'cron(0 3 * * ? *)', { timeZone: 'Europe/Berlin' });
    const input = scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: deployed('x').Target,
    });
  });

  it('pauses and resumes a rule with DisableRule and EnableRule', async () => {
    await ops().pause('nightly-rule');
    await ops().resume('nightly-rule');
    const name = outputs[jobOutputKey.schedule('nightly-rule', 'nightly')];
    expect(events.commandCalls(DisableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: name }]);
    expect(events.commandCalls(EnableRuleCommand).map((c) => c.args[0].input)).toEqual([{ Name: name }]);
  });

  it(
    'sends a 2 h delay as a one-time at() schedule with the envelope, the delayed-send role, and ' +
      'deletion after completion',
    async () => {
      outputs = { ...outputs, [StackOutputKey.DELAYED_SEND_ROLE_ARN]: DELAYED_ROLE };
      const result = await ops().send('cleanup', [
        { id: 'later-1', payload: { auditRetentionDays: 30 }, delaySeconds: 7200 },
      ]);
      const input = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
      expect(result.scheduled).toEqual([input.Name]);
      expect(input).toMatchObject({
        GroupName: 'serverless-jobs-test',
        ScheduleExpression: 'at(2026-11-24T10:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        ActionAfterCompletion: 'DELETE',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: outputs[jobOutputKey.queueArn('cleanup')],
          RoleArn: DELAYED_ROLE,
          DeadLetterConfig: { Arn: outputs[jobOutputKey.dlqArn('cleanup')] },
        },
      });
      expect(JSON.parse(input.Target!.Input!)).toEqual({
        id: 'later-1',
        job: 'cleanup',
        payload: { auditRetentionDays: 30 },
        enqueuedAt: '2026-11-24T10:00:00.000Z',
      });
    },
  );

  it('sends a long delay for a job with no schedule of its own through the same role', async () => {
    outputs = { ...outputs, [StackOutputKey.DELAYED_SEND_ROLE_ARN]: DELAYED_ROLE };
    await ops().send('process-order', [{ id: 'later-2', payload: { orderId: 'o-1' }, delaySeconds: 7200 }]);
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target).toMatchObject({
      Arn: outputs[jobOutputKey.queueArn('process-order')],
      RoleArn: DELAYED_ROLE,
    });
  });

  it('refuses a long delay when the deployed stack has no delayed-send role, and sends nothing', async () => {
    const { [StackOutputKey.DELAYED_SEND_ROLE_ARN]: _, ...older } = outputs;
    outputs = older;
    await expect(ops().send('process-order', [{ payload: { orderId: 'o-1' }, delaySeconds: 7200 }])).rejects.toThrow(
      'needs the stack output DelayedSendRoleArn',
    );
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('triggers by sending the schedule input with the current time, to the real queue', async () => {
    const { occurrence } = await ops().trigger('cleanup');
    const [message] = await receiveAll(sqs(), outputs[jobOutputKey.queueUrl('cleanup')]!);
    expect(occurrence).toBe('2026-11-24T08:00:00Z');
    expect(JSON.parse(message!.Body!)).toEqual({
      job: 'cleanup',
      schedule: 'daily',
      occurrence: '2026-11-24T08:00:00Z',
      timeZone: 'UTC',
      payload: {},
    });
  });

  describe('redrive on AWS', () => {
    const recorded: unknown[] = [];
    let proxy: Server;
    beforeAll(async () => {
      proxy = await moveTaskProxy(process.env.AWS_ENDPOINT_URL_SQS!, recorded);
    });
    afterAll(() => new Promise<void>((done) => proxy.close(() => done())));

    it('without a filter, starts a message move task from the DLQ ARN to the queue ARN', async () => {
      await deadLetters(sqs(), outputs[jobOutputKey.dlqUrl('process-order')]!, [
        { jobId: 'o-1', reason: 'x', attempts: 1 },
      ]);
      const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const result = await ops(new SQSClient({ endpoint, useQueueUrlAsEndpoint: false })).redrive('process-order', {
        rate: 5,
      });
      expect(result).toMatchObject({ moveTaskHandle: 'task-1', approximateCount: 1, moved: [] });
      expect(recorded).toEqual([
        {
          SourceArn: outputs[jobOutputKey.dlqArn('process-order')],
          DestinationArn: outputs[jobOutputKey.queueArn('process-order')],
          MaxNumberOfMessagesPerSecond: 5,
        },
      ]);
    });
  });
});

describe('Function: loadStackOutputs', () => {
  it('reads the outputs of ServerlessJobs-<stage> by key', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'ServerlessJobs-dev' }).resolves({
      Stacks: [
        {
          StackName: 'ServerlessJobs-dev',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'TableLedger', OutputValue: 'ledger-1' }],
        },
      ],
    });
    expect(await loadStackOutputs(new CloudFormationClient({}), 'ServerlessJobs-dev')).toEqual({
      TableLedger: 'ledger-1',
    });
  });

  it('names the stack when it cannot be read', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id ServerlessJobs-qa does not exist'));
    await expect(loadStackOutputs(new CloudFormationClient({}), 'ServerlessJobs-qa')).rejects.toThrow(
      'Cannot read stack "ServerlessJobs-qa"',
    );
  });
});
