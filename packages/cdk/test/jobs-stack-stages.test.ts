import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JobsStack, type JobsStackProps } from '@serverless-jobs/cdk/constructs';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const tally = defineJob({
  name: 'tally',
  description: 'Tallies orders.',
  payload: z.strictObject({}),
  schedules: [{ name: 'hourly', expression: 'rate(1 hour)', payload: {} }],
});

const testApp = (): App =>
  new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'jobs-stages-test-')),
  });

/** A stack of the one scheduled job (and the watchdog), unbundled. */
function stackOf(app: App, id: string, props: Partial<JobsStackProps> = {}): JobsStack {
  return new JobsStack(app, id, { jobs: [tally], entryOf: () => fileURLToPath(import.meta.url), ...props });
}

const properties = (stack: JobsStack, type: string): Record<string, unknown>[] =>
  Object.values(Template.fromStack(stack).findResources(type)).map((r) => r.Properties as Record<string, unknown>);

describe('JobsStack: two stacks in one account and region', () => {
  it('gives each its own metric namespace, dashboard and alarm names by default, from the stack name', () => {
    const app = testApp();
    const [blue, green] = [stackOf(app, 'Jobs-blue'), stackOf(app, 'Jobs-green')];
    for (const [stack, name] of [
      [blue, 'Jobs-blue'],
      [green, 'Jobs-green'],
    ] as const) {
      expect(stack.workers.map((w) => w.metricsNamespace)).toEqual([
        `ServerlessJobs/${name}`,
        `ServerlessJobs/${name}`,
      ]);
      for (const fn of properties(stack, 'AWS::Lambda::Function'))
        expect(fn.Environment).toMatchObject({ Variables: { POWERTOOLS_METRICS_NAMESPACE: `ServerlessJobs/${name}` } });
      expect(properties(stack, 'AWS::CloudWatch::Dashboard').map((d) => d.DashboardName)).toEqual([name]);
      const alarms = [
        ...properties(stack, 'AWS::CloudWatch::Alarm'),
        ...properties(stack, 'AWS::CloudWatch::CompositeAlarm'),
      ].map((a) => String(a.AlarmName));
      expect(alarms.filter((alarm) => !alarm.startsWith(`${name}-`))).toEqual([]);
      expect(alarms).toContain(`${name}-JobsHealthy`);
      expect(alarms).toContain(`${name}-tally-MissedOccurrences`);
    }
  });

  it('refuses a metric namespace CloudWatch would drop, naming it', () => {
    expect(() => stackOf(testApp(), 'Jobs', { metricsNamespace: 'AWS/Jobs' })).toThrow(
      'metricsNamespace "AWS/Jobs": expected 1 to 255 letters',
    );
    expect(() => stackOf(testApp(), 'Jobs', { metricsNamespace: 'Jobs%prod' })).toThrow(/metricsNamespace "Jobs%prod"/);
  });

  it('deletes its named schedule group with it, and deletion-protects the tables only when asked', () => {
    const plain = Template.fromStack(stackOf(testApp(), 'Plain')).toJSON().Resources as Record<
      string,
      Record<string, unknown>
    >;
    const group = Object.values(plain).find((r) => r.Type === 'AWS::Scheduler::ScheduleGroup')!;
    expect([group.DeletionPolicy, group.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
    const ledger = (stack: JobsStack) => properties(stack, 'AWS::DynamoDB::Table')[0]!;
    expect(ledger(stackOf(testApp(), 'Unprotected')).DeletionProtectionEnabled).toBeUndefined();
    expect(ledger(stackOf(testApp(), 'Protected', { deletionProtection: true })).DeletionProtectionEnabled).toBe(true);
  });

  it('refuses to make a sender identity without a sender', () => {
    expect(() => stackOf(testApp(), 'Jobs', { emailIdentity: 'domain' })).toThrow(
      'emailIdentity "domain": the stack makes it for emailFrom, which is not given',
    );
  });
});
