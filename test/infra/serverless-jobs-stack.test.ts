import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { queueUrlVariable } from '@serverless-jobs/runtime/contracts';
import { domainTables } from '#shared/domain/tables';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { allJobs } from '#shared/jobs/registry';
import * as z from '@serverless-jobs/runtime/zod';
import {
  arnOf,
  logicalIdOf,
  propertiesOf,
  type SynthesizedJobsApp,
  synthJobsApp,
} from '#test/infra/support/synth-jobs-app';

const DAY = 86_400;

describe('Stack: ServerlessJobs', () => {
  let synth: SynthesizedJobsApp;
  beforeAll(() => {
    synth = synthJobsApp();
  });

  const workerOf = (name: string) => {
    const worker = synth.stack.workers.find((w) => w.jobName === name);
    if (!worker) throw new Error(`no worker for ${name}`);
    return worker;
  };

  it('is named after the stage, dev by default', () => {
    expect(synth.stack.stackName).toBe('ServerlessJobs-dev');
  });

  describe.each(allJobs.map((job) => [job.name, job] as const))('Job: %s', (name, job) => {
    it(
      'has an encrypted, TLS-only queue whose visibility covers 6 × (timeout + window) and which ' +
        'redrives to its DLQ',
      () => {
        const worker = workerOf(name);
        const queue = propertiesOf(synth.template, logicalIdOf(worker.queue));
        expect(queue).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: job.queueRetentionDays * DAY,
        });
        expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (job.timeoutSeconds + job.batchingWindowSeconds));
        expect(queue.RedrivePolicy).toEqual({
          deadLetterTargetArn: arnOf(worker.deadLetterQueue),
          maxReceiveCount: job.retry.attempts + 5,
        });
        for (const target of [worker.queue, worker.deadLetterQueue]) {
          synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: [{ Ref: logicalIdOf(target) }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              ]),
            },
          });
        }
      },
    );

    it('keeps dead letters longer than the queue keeps messages', () => {
      const worker = workerOf(name);
      const dlq = propertiesOf(synth.template, logicalIdOf(worker.deadLetterQueue));
      const queue = propertiesOf(synth.template, logicalIdOf(worker.queue));
      expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: job.dlqRetentionDays * DAY });
      expect(dlq.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod as number);
    });

    it('consumes its queue with partial batch responses, its batch size and a maximum concurrency', () => {
      const worker = workerOf(name);
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(worker.queue),
        FunctionName: { Ref: logicalIdOf(worker.fn) },
        BatchSize: job.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: job.maxConcurrency },
      });
    });

    it('runs on Node.js 24 arm64 with its own role, log group and the runtime environment contract', () => {
      const worker = workerOf(name);
      const fn = propertiesOf(synth.template, logicalIdOf(worker.fn));
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: job.timeoutSeconds,
        MemorySize: job.memoryMb,
      });
      expect(fn.Role).toEqual(arnOf(worker.role));
      expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: logicalIdOf(worker.logGroup) } });
      const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      const expected: Record<string, unknown> = {
        LEDGER_TABLE: { Ref: logicalIdOf(synth.stack.tables.ledger.table) },
        JOB_QUEUE_URL: { Ref: logicalIdOf(worker.queue) },
        JOB_DLQ_URL: { Ref: logicalIdOf(worker.deadLetterQueue) },
        POWERTOOLS_METRICS_NAMESPACE: 'ServerlessJobs/dev',
        POWERTOOLS_SERVICE_NAME: 'serverless-jobs',
      };
      for (const target of job.resources.enqueues)
        expected[queueUrlVariable(target)] = { Ref: logicalIdOf(workerOf(target).queue) };
      for (const { table: design } of job.resources.tables)
        expected[design.envVar] = { Ref: logicalIdOf(synth.stack.tables.of(design, job.name).table) };
      if (job.resources.sendsEmail) expected.EMAIL_FROM = 'jobs@example.com';
      if (worker.durable) expected.DURABLE_FUNCTION = { Ref: logicalIdOf(worker.durable.alias) };
      expect(env).toEqual({ ...expected, JOB_SETTINGS: expect.any(String) });
      expect(JSON.parse(env.JOB_SETTINGS as string)).toEqual(z.parse(job.settings, recipientsFor(job.name)));
    });

    it('has each declared schedule in its time zone, targeting its own queue with the job DLQ', () => {
      const worker = workerOf(name);
      for (const schedule of job.schedules) {
        synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: schedule.expression,
          ScheduleExpressionTimezone: schedule.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: Match.objectLike({
            Arn: arnOf(worker.queue),
            DeadLetterConfig: { Arn: arnOf(worker.deadLetterQueue) },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            Input: Match.serializedJson({
              job: name,
              schedule: schedule.name,
              occurrence: '<aws.scheduler.scheduled-time>',
              timeZone: schedule.timeZone,
              payload: schedule.payload,
            }),
          }),
        });
      }
    });

    it('alarms on DLQ depth, oldest message, error rate and duration near the timeout', () => {
      const alarms = synth.stack.alarms.byJob.get(name)!;
      const props = (alarm: keyof typeof alarms) => propertiesOf(synth.template, logicalIdOf(alarms[alarm]!));
      expect(props('deadLetters')).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      });
      expect(props('deadLetters').Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(workerOf(name).deadLetterQueue), 'QueueName'] } },
      ]);
      expect(props('oldestMessage')).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: job.alarms.oldestMessageAgeSeconds,
      });
      expect(props('errorRate')).toMatchObject({ Threshold: job.alarms.errorRatePercent });
      expect(JSON.stringify(props('errorRate').Metrics)).toContain(`{"Name":"job","Value":"${name}"}`);
      expect(props('nearTimeout')).toMatchObject({
        MetricName: 'Duration',
        Threshold: job.alarms.durationOfTimeout * job.timeoutSeconds * 1000,
      });
      if (job.schedules.length > 0 && name !== 'schedule-watchdog') {
        expect(props('missedOccurrences')).toMatchObject({
          MetricName: 'MissedOccurrences',
          Namespace: 'ServerlessJobs/dev',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
        expect(props('missedOccurrences').Dimensions).toEqual(
          expect.arrayContaining([
            { Name: 'service', Value: 'serverless-jobs' },
            { Name: 'job', Value: name },
          ]),
        );
        expect(props('missedOccurrences').Dimensions).toHaveLength(2);
      } else {
        expect(alarms.missedOccurrences).toBeUndefined();
      }
    });
  });

  it('has a job queue and a DLQ per job, and an event source mapping with ReportBatchItemFailures each', () => {
    const queues = synth.template.findResources('AWS::SQS::Queue');
    expect(Object.values(queues).filter((q) => q.Properties.RedrivePolicy)).toHaveLength(allJobs.length);
    expect(Object.keys(queues)).toHaveLength(2 * allJobs.length);
    const mappings = synth.template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionResponseTypes: ['ReportBatchItemFailures'] },
    });
    expect(Object.keys(mappings)).toHaveLength(allJobs.length);
  });

  it(
    'schedules cleanup, daily-report, monthly-report and the watchdog with time zones, each ' + 'targeting its queue',
    () => {
      const schedules = Object.values(synth.template.findResources('AWS::Scheduler::Schedule')).map(
        (s) => s.Properties,
      );
      const targets = schedules.map((s) => [s.ScheduleExpressionTimezone, JSON.stringify(s.Target.Arn)]);
      expect(targets).toEqual(
        ['cleanup', 'daily-report', 'monthly-report', 'schedule-watchdog'].map((job) => [
          'UTC',
          JSON.stringify(arnOf(workerOf(job).queue)),
        ]),
      );
      synth.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
      synth.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'serverless-jobs-dev' });
    },
  );

  it('has the ledger keyed by job partition and job ID, with no index, TTL and point-in-time recovery', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: ledgerTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: ledgerTable.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.absent(),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has the four domain tables with point-in-time recovery and no hard-coded names', () => {
    const tables = Object.values(synth.template.findResources('AWS::DynamoDB::Table')).map((t) => t.Properties);
    expect(tables).toHaveLength(1 + Object.keys(domainTables).length);
    for (const table of tables) {
      expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.TableName).toBeUndefined();
    }
  });

  it('grants no wildcard action in any Allow statement', () => {
    const allows: { Action: unknown }[] = [];
    JSON.stringify(synth.template.toJSON(), (key, value: unknown) => {
      if (key === 'Statement' && Array.isArray(value))
        allows.push(...value.filter((s: { Effect?: string }) => s.Effect === 'Allow'));
      return value;
    });
    expect(allows.length).toBeGreaterThan(20);
    const actions = allows.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants DynamoDB access only to the ledger and the tables a job declares, by table and index ARN', () => {
    for (const job of allJobs) {
      const policy = JSON.stringify(
        synth.template.toJSON().Resources[logicalIdOf(workerOf(job.name).role.node.findChild('DefaultPolicy'))],
      );
      for (const [id, { design, table }] of synth.stack.tables.app) {
        expect(policy.includes(`"${logicalIdOf(table)}"`), `${job.name} → ${id}`).toBe(
          job.resources.tables.some((use) => use.table === design),
        );
      }
      expect(policy).not.toContain('/index/*');
      expect(policy.includes('ses:SendEmail'), job.name).toBe(job.resources.sendsEmail);
    }
  });

  it(
    'lets a job whose schedules guard overlap send to its own queue (an occurrence waiting its turn is sent ' +
      'again), or one that continues itself, and only those',
    () => {
      for (const job of allJobs) {
        const statements = synth.template.toJSON().Resources[
          logicalIdOf(workerOf(job.name).role.node.findChild('DefaultPolicy'))
        ].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
        const ownQueue = JSON.stringify(arnOf(workerOf(job.name).queue));
        const sendsToOwn = statements.some(
          (st) =>
            ([] as string[]).concat(st.Action).includes('sqs:SendMessage') &&
            JSON.stringify(st.Resource).includes(ownQueue),
        );
        const waits = job.schedules.some((schedule) => schedule.overlap !== 'allow');
        expect(sendsToOwn, job.name).toBe(waits || job.resources.enqueues.includes(job.name));
      }
    },
  );

  it(
    'names every queue, DLQ, function, table, schedule, group, dashboard and alarm topic in ' + 'predictable outputs',
    () => {
      const outputs = Object.keys(synth.template.toJSON().Outputs as object);
      for (const key of [
        'QueueUrlSendEmail',
        'DlqUrlSendEmail',
        'QueueArnSendEmail',
        'FunctionSendEmail',
        'TableOrders',
        'TableLedger',
      ])
        expect(outputs).toContain(key);
      for (const key of [
        'ScheduleCleanupDaily',
        'ScheduleDailyReportDaily',
        'ScheduleMonthlyReportMonthly',
        'ScheduleGroup',
        'DashboardName',
        'AlarmTopicArn',
      ])
        expect(outputs).toContain(key);
      expect(outputs.filter((key) => key.startsWith('QueueUrl'))).toHaveLength(allJobs.length);
    },
  );

  it(
    'gives the watchdog every other schedule, as resolved, the queues of the scheduled jobs, and a ' +
      'batch read of the ledger',
    () => {
      const env = (
        propertiesOf(synth.template, logicalIdOf(workerOf('schedule-watchdog').fn)).Environment as {
          Variables: Record<string, string>;
        }
      ).Variables;
      // The schedules go into its bundle (test/infra/cdk-synth.test.ts), not its environment, which
      // Lambda caps at 4 KB.
      expect(env.WATCHED_SCHEDULES).toBeUndefined();
      const watched = synth.stack.watchedSchedules;
      expect(watched.map((s) => `${s.job}/${s.schedule} ${s.expression}`)).toEqual([
        'cleanup/daily cron(0 2 * * ? *)',
        'daily-report/daily cron(0 6 * * ? *)',
        'monthly-report/monthly cron(0 0 1 * ? *)',
      ]);
      expect(watched[1]!.catchUp).toEqual({ window: '2d', mode: 'latest' });
      expect(
        Object.keys(env)
          .filter((key) => key.startsWith('QUEUE_URL_'))
          .sort(),
      ).toEqual(['QUEUE_URL_CLEANUP', 'QUEUE_URL_DAILY_REPORT', 'QUEUE_URL_MONTHLY_REPORT']);
      // Its own role reads many runs at once and takes back a PENDING run it failed to send; no other job deletes runs.
      const actionsOf = (job: string) =>
        Object.values(synth.template.findResources('AWS::IAM::Policy'))
          .filter(
            (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalIdOf(workerOf(job).role) }]),
          )
          .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
          .filter((st) => JSON.stringify(st.Resource).includes(logicalIdOf(synth.stack.tables.ledger.table)))
          .flatMap((st) => ([] as string[]).concat(st.Action));
      expect(actionsOf('schedule-watchdog')).toEqual(
        expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem']),
      );
      for (const job of allJobs.filter((j) => j.name !== 'schedule-watchdog'))
        expect(actionsOf(job.name), job.name).not.toContain('dynamodb:DeleteItem');
      const silent = propertiesOf(
        synth.template,
        logicalIdOf(synth.stack.alarms.byJob.get('schedule-watchdog')!.watchdogSilent!),
      );
      expect(silent).toMatchObject({
        MetricName: 'JobSucceeded',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        Period: 900,
      });
    },
  );

  it(
    'has one dashboard with a row of four graphs per job and a composite "jobs healthy" alarm over ' +
      'every job alarm',
    () => {
      synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const body = JSON.stringify(
        Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
      );
      for (const job of allJobs) expect(body.split(`${job.name}: `).length - 1, job.name).toBe(4);
      const composite = propertiesOf(synth.template, logicalIdOf(synth.stack.alarms.healthy));
      const perJob = allJobs.map((job) => 4 + (job.schedules.length > 0 ? 1 : 0));
      expect(JSON.stringify(composite.AlarmRule).match(/ALARM\(/g)).toHaveLength(perJob.reduce((a, b) => a + b, 0));
    },
  );
});

/** cdk.json's reportRecipients becomes the recipients setting of the jobs that have one. */
function recipientsFor(job: string): Record<string, unknown> {
  return job.endsWith('-report') ? { recipients: ['ops@example.com'] } : {};
}
