import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { appJobs } from '#shared/jobs/registry';
import { arnOf, logicalIdOf, type SynthesizedJobsApp, synthJobsApp } from '#test/infra/support/synth-jobs-app';

/** The registry with cleanup's schedule moved to an EventBridge rule, as a team preferring rules would declare it. */
const withCleanupAsRule: readonly JobDeclaration[] = appJobs.map((job) =>
  job.name === 'cleanup' ? { ...job, schedules: job.schedules.map((s) => ({ ...s, via: 'rule' as const })) } : job,
);

describe('Construct: JobSchedules', () => {
  let synth: SynthesizedJobsApp;
  let template: Template;
  beforeAll(() => {
    synth = synthJobsApp({}, { jobs: withCleanupAsRule });
    template = synth.template;
  });

  it('creates a UTC EventBridge rule for a via: rule schedule, targeting the job queue with the envelope', () => {
    const cleanup = synth.stack.workers.find((w) => w.jobName === 'cleanup')!;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arnOf(cleanup.queue),
          DeadLetterConfig: { Arn: arnOf(cleanup.deadLetterQueue) },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          InputTransformer: {
            InputPathsMap: { time: '$.time' },
            InputTemplate: '{"job":"cleanup","schedule":"daily","occurrence":<time>,"timeZone":"UTC","payload":{}}',
          },
        }),
      ],
    });
  });

  it('lets EventBridge send to the job queue only from that rule', () => {
    const cleanup = synth.stack.workers.find((w) => w.jobName === 'cleanup')!;
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(cleanup.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId!, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('keeps the other schedules on EventBridge Scheduler and names the rule in the outputs', () => {
    const viaScheduler = withCleanupAsRule.flatMap((job) => job.schedules).filter((s) => s.via === 'scheduler');
    // The app's schedules that stay on Scheduler, and the watchdog's own.
    template.resourceCountIs('AWS::Scheduler::Schedule', viaScheduler.length + 1);
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
    expect(template.toJSON().Outputs.ScheduleCleanupDaily.Value).toEqual({ Ref: ruleId });
  });
});
