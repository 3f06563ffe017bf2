import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildJobsApp } from '#infra/jobs-app';
import type { ServerlessJobsStack } from '#infra/stacks/serverless-jobs-stack';
import { testApp } from '#test/infra/support/synth-jobs-app';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly { readonly ruleName: string }[];
  }[];
}

const reportIn = (directory: string): ValidationReport =>
  JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as ValidationReport;

/**
 * cdk-nag 3 runs as a CDK validation plugin: a finding makes `app.synth()` throw and lands in validation-report.json.
 */
describe('Validation: cdk-nag AwsSolutions', () => {
  let app: App;
  let stack: ServerlessJobsStack;
  let directory: string;
  beforeAll(() => {
    app = testApp();
    stack = buildJobsApp(app);
    directory = app.synth().directory;
  });

  it('finds 0 errors and 0 warnings in the stack', () => {
    const report = reportIn(directory);
    const violations = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => `${plugin.pluginName}: ${v.ruleName}`),
    );
    expect(violations).toEqual([]);
  });

  it('acknowledges no finding but a durable function’s checkpoint grant on its own executions', () => {
    const metadata = JSON.parse(readFileSync(join(directory, `${stack.artifactId}.metadata.json`), 'utf8')) as Record<
      string,
      { type: string; data: unknown }[]
    >;
    // The Serverless pack's acknowledgements (each with a reason) are checked in test/reliability/security.test.ts.
    const acknowledged = Object.entries(metadata).flatMap(([path, entries]) =>
      entries
        .filter(
          (entry) => entry.type === 'aws:cdk:acknowledged-rules' && JSON.stringify(entry.data).includes('AwsSolutions'),
        )
        .map((entry) => ({ path, rules: Object.keys(entry.data as Record<string, string>) })),
    );
    // The one wildcard: an execution's ARN is the function's, then its version and the execution's generated ID.
    expect(acknowledged).toEqual([
      {
        path: '/ServerlessJobs-dev/fulfil-order/Durable/DurablePolicy',
        rules: [
          expect.stringMatching(
            /^AwsSolutions::AwsSolutions-IAM5\[Resource::<fulfilorderDurableFunction\w+\.Arn>:\*\]$/,
          ),
        ],
      },
    ]);
  });

  it('has no error annotations from the safety aspect', () => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  it('fails synth when a resource breaks a rule, reporting it', () => {
    const failing = testApp();
    new sqs.Queue(buildJobsApp(failing), 'PlainQueue');
    expect(() => failing.synth()).toThrow(/AwsSolutions-SQS4/);
    const report = reportIn(failing.outdir);
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
    expect(existsSync(join(failing.outdir, 'validation-report.json'))).toBe(true);
  });
});
