import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource, type SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { JobSafetyAspect } from '@serverless-jobs/cdk/aspects';

/** Stands in for a JobWorker: the aspect names the job through the nearest `jobName`. */
class FakeJob extends Construct {
  readonly jobName = 'send-email';
}

interface Wiring {
  readonly visibilitySeconds?: number;
  readonly timeoutSeconds?: number;
  readonly queueRetentionDays?: number;
  readonly dlqRetentionDays?: number;
  readonly eventSource?: Partial<SqsEventSourceProps>;
}

const SAFE: Required<Omit<Wiring, 'eventSource'>> & { eventSource: SqsEventSourceProps } = {
  visibilitySeconds: 180,
  timeoutSeconds: 30,
  queueRetentionDays: 4,
  dlqRetentionDays: 14,
  eventSource: { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 },
};

/** A tiny stack with a queue, its DLQ and a function consuming it, wired as given, with the aspect applied. */
function stackWith(wiring: Wiring, build?: (stack: Stack) => void): Stack {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Tiny');
  const job = new FakeJob(stack, 'send-email');
  const w = { ...SAFE, ...wiring, eventSource: { ...SAFE.eventSource, ...wiring.eventSource } };
  const dlq = new sqs.Queue(job, 'Dlq', { retentionPeriod: Duration.days(w.dlqRetentionDays) });
  const queue = new sqs.Queue(job, 'Queue', {
    visibilityTimeout: Duration.seconds(w.visibilitySeconds),
    retentionPeriod: Duration.days(w.queueRetentionDays),
    deadLetterQueue: { queue: dlq, maxReceiveCount: 8 },
  });
  const fn = new lambda.Function(job, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: Duration.seconds(w.timeoutSeconds),
  });
  fn.addEventSource(new SqsEventSource(queue, w.eventSource));
  build?.(stack);
  Aspects.of(app).add(new JobSafetyAspect());
  return stack;
}

/** A raw L1 schedule, as anyone might write it without the JobSchedules construct. */
function cfnSchedule(stack: Stack, expression: string, timeZone?: string): void {
  new scheduler.CfnSchedule(stack, 'Nightly', {
    scheduleExpression: expression,
    ...(timeZone ? { scheduleExpressionTimezone: timeZone } : {}),
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: 'arn:aws:sqs:us-east-1:111111111111:q', roleArn: 'arn:aws:iam::111111111111:role/r' },
  });
}

const errorsOf = (stack: Stack): string[] =>
  Annotations.fromStack(stack)
    .findError('*', Match.anyValue())
    .map((entry) => String(entry.entry.data));

describe('Aspect: JobSafetyAspect', () => {
  it('passes safe wiring', () => {
    Annotations.fromStack(stackWith({})).hasNoError('*', Match.anyValue());
  });

  it('fails when the visibility timeout is below 6 × (timeout + batching window), quoting the values', () => {
    Annotations.fromStack(stackWith({ visibilitySeconds: 120 })).hasError(
      '*',
      'send-email: visibility timeout 120 s is below 6 × (timeout 30 s + window 0 s) = 180 s',
    );
  });

  it('fails when the batching window pushes the minimum above the visibility timeout', () => {
    const stack = stackWith({ eventSource: { maxBatchingWindow: Duration.seconds(5) } });
    Annotations.fromStack(stack).hasError(
      '*',
      'send-email: visibility timeout 180 s is below 6 × (timeout 30 s + window 5 s) = 210 s',
    );
  });

  it('fails when partial batch responses are off', () => {
    const stack = stackWith({ eventSource: { reportBatchItemFailures: false } });
    Annotations.fromStack(stack).hasError(
      '*',
      Match.stringLikeRegexp('^send-email: partial batch responses are off \\(FunctionResponseTypes is \\[\\]\\)'),
    );
  });

  it('fails when the event source has no maximum concurrency', () => {
    const stack = stackWith({ eventSource: { maxConcurrency: undefined } });
    Annotations.fromStack(stack).hasError(
      '*',
      Match.stringLikeRegexp('^send-email: no maximum concurrency \\(ScalingConfig.MaximumConcurrency is undefined\\)'),
    );
  });

  it('fails when the DLQ does not keep messages longer than its source queue', () => {
    const stack = stackWith({ queueRetentionDays: 14, dlqRetentionDays: 14 });
    Annotations.fromStack(stack).hasError(
      '*',
      Match.stringLikeRegexp("^send-email: DLQ retention 1209600 s is not longer than the queue's retention 1209600 s"),
    );
  });

  it('fails when a schedule has an invalid cron expression, quoting it', () => {
    const stack = stackWith({}, (s) => cfnSchedule(s, 'cron(99 2 * * ? *)'));
    Annotations.fromStack(stack).hasError(
      '/Tiny/Nightly',
      Match.stringLikeRegexp('^Tiny/Nightly: Invalid minutes field "99" in "cron\\(99 2 \\* \\* \\? \\*\\)"'),
    );
  });

  it('fails when a schedule has an unknown time zone, quoting it', () => {
    const stack = stackWith({}, (s) => cfnSchedule(s, 'cron(0 2 * * ? *)', 'Mars/Olympus'));
    expect(errorsOf(stack)).toEqual([expect.stringMatching(/^Tiny\/Nightly: Invalid time zone "Mars\/Olympus"/)]);
  });

  it("fails when a function's environment would be over Lambda's 4 KB, counting a reference as 128 bytes", () => {
    const big = (count: number) => (s: Stack) => {
      const fn = new lambda.Function(new FakeJob(s, 'watch'), 'Big', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {};'),
      });
      fn.addEnvironment('SCHEDULES', 'x'.repeat(3_000));
      for (let i = 0; i < count; i += 1) fn.addEnvironment(`QUEUE_URL_${i}`, new sqs.Queue(s, `Q${i}`).queueUrl);
    };
    // As JSON: {"SCHEDULES":"…3,000…","QUEUE_URL_0":"…128…",…} = 2 + 3,014 + 8 × 144 + 8 commas = 4,176
    // bytes; with 7 queues, 4,031.
    expect(errorsOf(stackWith({}, big(7)))).toEqual([]);
    expect(errorsOf(stackWith({}, big(8)))).toEqual([
      "send-email: its environment is about 4176 bytes, over Lambda's 4096 (9 variables, 8 of them " +
        'references counted as 128 bytes each; the largest: SCHEDULES 3014, QUEUE_URL_0 144, ' +
        'QUEUE_URL_1 144). Compile what grows with the jobs into the bundle instead (JobWorker inlinedEnvironment)',
    ]);
  });

  it('fails when an EventBridge rule has an invalid schedule expression, quoting it', () => {
    const stack = stackWith({}, (s) => {
      new events.Rule(s, 'Hourly', { schedule: events.Schedule.expression('rate(1 hours)') });
    });
    expect(errorsOf(stack)).toEqual([
      expect.stringMatching(/^Tiny\/Hourly\/Resource: Invalid rate expression "rate\(1 hours\)"/),
    ]);
  });
});
