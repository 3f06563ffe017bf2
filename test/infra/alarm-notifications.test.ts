import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '#test/infra/support/context-problems';
import { readAppConfig } from '#infra/config/app-config';
import { allJobs } from '#shared/jobs/registry';
import { qualify, resourcesOf } from '#test/infra/support/stage-resources';
import { BASE_CONTEXT, logicalIdOf, propertiesOf, synthJobsApp } from '#test/infra/support/synth-jobs-app';

const TOPIC_ARN = 'arn:aws:sns:eu-central-1:123456789012:ops-pager';

/**
 * Every alarm's actions by alarm name, `{ ALARM: [...], OK: [...], INSUFFICIENT_DATA: [...] }`, empty ones left out.
 */
function actionsByAlarm(
  template: ReturnType<typeof synthJobsApp>['template'],
): Record<string, Record<string, unknown>> {
  const byAlarm: Record<string, Record<string, unknown>> = {};
  for (const resource of Object.values(resourcesOf(template))) {
    if (!resource.Type.startsWith('AWS::CloudWatch::') || !resource.Type.endsWith('Alarm')) continue;
    const props = resource.Properties ?? {};
    const actions = Object.fromEntries(
      (
        [
          ['ALARM', props.AlarmActions],
          ['OK', props.OKActions],
          ['INSUFFICIENT_DATA', props.InsufficientDataActions],
        ] as const
      ).filter(([, list]) => Array.isArray(list) && list.length > 0),
    );
    byAlarm[String(props.AlarmName)] = actions;
  }
  return byAlarm;
}

describe('Alarms: one page per incident', () => {
  it('gives no child alarm an action; only the composite "jobs healthy" alarm notifies, on ALARM and on OK', () => {
    for (const stage of ['dev', 'prod']) {
      const { template, stack } = synthJobsApp({ stage });
      const topic = { Ref: logicalIdOf(stack.alarms.topic) };
      const actions = actionsByAlarm(template);
      const healthy = `ServerlessJobs-${stage}-JobsHealthy`;
      expect(Object.keys(actions).length).toBeGreaterThan(30);
      expect(actions[healthy], stage).toEqual({ ALARM: [topic], OK: [topic] });
      expect(
        Object.entries(actions).filter(([name, set]) => name !== healthy && Object.keys(set).length > 0),
        stage,
      ).toEqual([]);
    }
  });

  it("subscribes -c alarmEmail (one or more addresses) to the stack's topic by e-mail", () => {
    const { template, stack } = synthJobsApp({ stage: 'prod', alarmEmail: 'oncall@example.org, ops@example.org' });
    const topic = { Ref: logicalIdOf(stack.alarms.topic) };
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const endpoint of ['oncall@example.org', 'ops@example.org'])
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: endpoint,
        TopicArn: topic,
      });
  });

  it('notifies an existing topic given as -c alarmTopicArn, and then makes no topic of its own', () => {
    const { template, stack } = synthJobsApp({ stage: 'prod', alarmTopicArn: TOPIC_ARN });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(actionsByAlarm(template)['ServerlessJobs-prod-JobsHealthy']).toEqual({
      ALARM: [TOPIC_ARN],
      OK: [TOPIC_ARN],
    });
    expect((template.toJSON().Outputs as Record<string, { Value: unknown }>).AlarmTopicArn!.Value).toBe(TOPIC_ARN);
    expect(stack.alarms.topic.topicArn).toBe(TOPIC_ARN);
  });

  it('refuses both targets at once, a bad ARN and a bad address, quoting each', () => {
    expect(
      problemsOf(() =>
        readAppConfig({ ...BASE_CONTEXT, alarmEmail: 'ops@example.org', alarmTopicArn: TOPIC_ARN }, allJobs),
      ),
    ).toEqual([expect.stringMatching(/^Context "alarmTopicArn" = .*: give either alarmEmail or alarmTopicArn/)]);
    expect(problemsOf(() => readAppConfig({ ...BASE_CONTEXT, alarmTopicArn: 'ops-pager' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "alarmTopicArn" = "ops-pager": expected the ARN of a standard SNS topic/),
    ]);
    expect(problemsOf(() => readAppConfig({ ...BASE_CONTEXT, alarmEmail: 'ops' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "alarmEmail" = "ops": /),
    ]);
  });

  it('warns at synth when a production stage has nobody to notify', () => {
    const quiet = synthJobsApp({ stage: 'prod' });
    Annotations.fromStack(quiet.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('production stage "prod" notifies nobody.*alarmEmail.*alarmTopicArn'),
    );
    const paged = synthJobsApp({ stage: 'prod', alarmEmail: 'oncall@example.org' });
    expect(Annotations.fromStack(paged.stack).findWarning('*', Match.stringLikeRegexp('notifies nobody'))).toEqual([]);
  });
});

describe('Alarm: the watchdog gone silent', () => {
  it('pages only after the watchdog has checked once, so a fresh deploy does not page', () => {
    const { template, stack } = synthJobsApp({ stage: 'prod' });
    const watchdog = stack.alarms.byJob.get('schedule-watchdog')!;
    const silent = logicalIdOf(watchdog.watchdogSilent!);
    const firstCheck = logicalIdOf(watchdog.watchdogFirstCheck!);
    expect(propertiesOf(template, silent)).toMatchObject({
      MetricName: 'JobSucceeded',
      Namespace: 'ServerlessJobs/prod',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      Period: 900,
    });
    // Before the first check it stays INSUFFICIENT_DATA; from then on OK, whatever data goes missing.
    expect(propertiesOf(template, firstCheck)).toMatchObject({
      MetricName: 'JobSucceeded',
      Namespace: 'ServerlessJobs/prod',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
    const rule = qualify(propertiesOf(template, logicalIdOf(stack.alarms.healthy)).AlarmRule, 'prod');
    const silentRef = `ALARM("prod/${silent}.Arn")`;
    expect(rule).toContain(`(${silentRef} AND OK("prod/${firstCheck}.Arn"))`);
    expect(rule.split(silentRef)).toHaveLength(2);
    expect(rule).not.toContain(`ALARM("prod/${firstCheck}.Arn")`);
  });
});
