import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildJobsApp } from '#infra/jobs-app';
import { testApp } from '#test/infra/support/synth-jobs-app';
import { resourcesOf } from '#test/infra/support/stage-resources';
import { Template } from 'aws-cdk-lib/assertions';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly { readonly ruleName: string }[];
  }[];
}

/** What a production deploy adds to the dev stack: its own identity, a pager, deletion-protected tables. */
const PRODUCTION = {
  stage: 'prod',
  emailFrom: 'jobs@mail.example.org',
  emailIdentity: 'domain',
  alarmEmail: 'oncall@example.org',
};

describe('Validation: cdk-nag on a production stage with every option', () => {
  it('finds nothing in either pack, and acknowledges no AwsSolutions finding but the durable checkpoint grant', () => {
    const app = testApp(PRODUCTION);
    const stack = buildJobsApp(app);
    const directory = app.synth().directory;
    const types = Object.values(resourcesOf(Template.fromStack(stack))).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::SES::EmailIdentity', 'AWS::SNS::Subscription']));
    const report = JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    // A pack with no finding and no acknowledgement is left out of the report (AwsSolutions, here).
    expect(report.pluginReports.map((p) => p.pluginName)).toContain('Serverless');
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName}: ${v.ruleName}`))).toEqual([]);
    const metadata = JSON.parse(readFileSync(join(directory, `${stack.artifactId}.metadata.json`), 'utf8')) as Record<
      string,
      { type: string; data: unknown }[]
    >;
    const acknowledged = Object.values(metadata)
      .flat()
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
    expect(acknowledged.filter((id) => id.startsWith('AwsSolutions'))).toEqual([
      expect.stringMatching(/^AwsSolutions::AwsSolutions-IAM5\[Resource::<fulfilorderDurableFunction\w+\.Arn>:\*\]$/),
    ]);
  });
});
