import { beforeAll, describe, expect, it } from 'vitest';
import {
  alarmMetrics,
  dashboardMetrics,
  functionNamespaces,
  physicalNames,
  resourcesOf,
} from '#test/infra/support/stage-resources';
import { logicalIdOf, propertiesOf, type SynthesizedJobsApp, synthJobsApp } from '#test/infra/support/synth-jobs-app';

/** A custom namespace: what the job runtime writes with EMF, as opposed to AWS/SQS and AWS/Lambda. */
const custom = (metric: string): boolean => !metric.startsWith('AWS/');

/** Dev and prod of one app, as one account and region would hold them side by side. */
describe('App: a dev and a prod stage side by side', () => {
  const stages = ['dev', 'prod'] as const;
  const synths = {} as Record<(typeof stages)[number], SynthesizedJobsApp>;
  beforeAll(() => {
    for (const stage of stages) synths[stage] = synthJobsApp({ stage });
  });

  const metricsOf = (stage: (typeof stages)[number]): string[] => {
    const { template, stack } = synths[stage];
    return [
      ...[...alarmMetrics(template, stack.stackName).values()].flat(),
      ...dashboardMetrics(template, stack.stackName),
    ];
  };

  it('share no physical name, and every name the stack sets carries its stage', () => {
    const names = Object.fromEntries(stages.map((stage) => [stage, physicalNames(synths[stage].template)]));
    expect(names.dev!.filter((name) => names.prod!.includes(name))).toEqual([]);
    for (const stage of stages) {
      const ownName = new RegExp(`(^|[^a-z])${stage}([^a-z]|$)`);
      expect(
        names[stage]!.filter((name) => !ownName.test(name.split(' ')[1]!)),
        stage,
      ).toEqual([]);
    }
  });

  it('name the dashboard and every alarm after the stage, so the console tells them apart', () => {
    for (const stage of stages) {
      const resources = Object.values(resourcesOf(synths[stage].template));
      const named = (type: string) =>
        resources.filter((r) => r.Type === type).map((r) => r.Properties?.DashboardName ?? r.Properties?.AlarmName);
      expect(named('AWS::CloudWatch::Dashboard')).toEqual([`ServerlessJobs-${stage}`]);
      const alarms = [...named('AWS::CloudWatch::Alarm'), ...named('AWS::CloudWatch::CompositeAlarm')];
      expect(alarms.length).toBeGreaterThan(30);
      for (const name of alarms) expect(name).toMatch(new RegExp(`^ServerlessJobs-${stage}-`));
      const { template, stack } = synths[stage];
      expect(propertiesOf(template, logicalIdOf(stack.alarms.healthy)).AlarmName).toBe(
        `ServerlessJobs-${stage}-JobsHealthy`,
      );
    }
  });

  it('read no metric of the other stage in any alarm or dashboard graph', () => {
    const dev = metricsOf('dev');
    const prod = metricsOf('prod');
    expect(dev.length).toBeGreaterThan(100);
    expect(dev.filter((metric) => prod.includes(metric))).toEqual([]);
  });

  it("write each stage's job metrics to the namespace its alarms and dashboard read, through the environment", () => {
    for (const stage of stages) {
      const namespaces = new Set(functionNamespaces(synths[stage].template));
      expect([...namespaces], stage).toEqual([`ServerlessJobs/${stage}`]);
      const read = new Set(
        metricsOf(stage)
          .filter(custom)
          .map((metric) => metric.split(' ')[0]),
      );
      expect([...read], stage).toEqual([`ServerlessJobs/${stage}`]);
    }
  });

  it("keeps prod's WatchdogSilent alarm on prod's watchdog only", () => {
    const silentOf = (stage: (typeof stages)[number]) => {
      const { stack, template } = synths[stage];
      const alarm = stack.alarms.byJob.get('schedule-watchdog')!.watchdogSilent!;
      return alarmMetrics(template, stack.stackName).get(logicalIdOf(alarm));
    };
    expect(silentOf('prod')).toEqual([
      'ServerlessJobs/prod JobSucceeded job=schedule-watchdog,service=serverless-jobs',
    ]);
    expect(functionNamespaces(synths.dev.template)).not.toContain('ServerlessJobs/prod');
  });

  it('name the alarm topic after the stage, so a notification says which stage it is from', () => {
    for (const stage of stages) {
      const topics = Object.values(resourcesOf(synths[stage].template)).filter((r) => r.Type === 'AWS::SNS::Topic');
      expect(topics.map((t) => t.Properties?.DisplayName)).toEqual([`ServerlessJobs-${stage} alarms`]);
    }
  });
});
