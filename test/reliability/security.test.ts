import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendEmailJob } from '#shared/jobs/send-email';
import { escapeHtml } from '#shared/reports/escape-html';
import { synthJobsApp, type SynthesizedJobsApp } from '#test/infra/support/synth-jobs-app';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly { readonly ruleName: string }[];
  }[];
}
interface Statement {
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
}
interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * Wildcard resources that a statement may use, each with the reason. Empty: the stack grants every action
 * on named ARNs only. A new wildcard resource fails the test until it is added here with its reason.
 */
const ACKNOWLEDGED_WILDCARD_RESOURCES: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    // {"Fn::Join":["",[{"Fn::GetAtt":["<durable function>","Arn"]},":*"]]}
    pattern: /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["\w+DurableFunction\w+","Arn"\]\},":\*"\]\]\}$/,
    reason:
      "a durable function's checkpoint grant on its own executions: an execution's ARN is the function's, then " +
      'its version and a generated execution ID',
  },
];

/** The one AwsSolutions finding acknowledged: that grant (IAM5 on `<durable function ARN>:*`). */
const DURABLE_CHECKPOINT_ACKNOWLEDGEMENT =
  /^AwsSolutions::AwsSolutions-IAM5\[Resource::<\w+DurableFunction\w+\.Arn>:\*\]$/;

/** The Serverless pack's rules this design acknowledges (the reasons are in JobWorker, @serverless-jobs/cdk). */
const SERVERLESS_ACKNOWLEDGED = [
  'Serverless::Serverless-LambdaDLQ',
  'Serverless::Serverless-LambdaEventSourceMappingDestination',
  'Serverless::Serverless-LambdaTracing',
  'Serverless::Serverless-SQSRedrivePolicy',
];

function statementsOf(template: unknown): Statement[] {
  const statements: Statement[] = [];
  JSON.stringify(template, (key, value: unknown) => {
    if (key === 'Statement' && Array.isArray(value)) statements.push(...(value as Statement[]));
    return value;
  });
  return statements;
}

describe('Security', () => {
  let synth: SynthesizedJobsApp;
  let directory: string;
  beforeAll(() => {
    synth = synthJobsApp();
    directory = synth.app.synth().directory;
  });

  it('cdk-nag: the AwsSolutions and Serverless packs both run and find 0 errors and 0 warnings', () => {
    const report = JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    expect(report.pluginReports.map((plugin) => plugin.pluginName)).toContain('Serverless');
    expect(
      report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => `${plugin.pluginName}: ${v.ruleName}`)),
    ).toEqual([]);
  });

  it('cdk-nag: every Serverless finding acknowledged has a reason; of AwsSolutions, only the durable grant', () => {
    const metadata = JSON.parse(
      readFileSync(join(directory, `${synth.stack.artifactId}.metadata.json`), 'utf8'),
    ) as Record<string, { type: string; data: unknown }[]>;
    // Each acknowledgement is recorded on the construct as { "<rule ID>": "<reason>" }.
    const acknowledgements = Object.values(metadata)
      .flat()
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]): Acknowledgement => ({ id, reason })),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    const ids = [...new Set(acknowledgements.map((a) => a.id))].sort();
    expect(ids.filter((id) => !DURABLE_CHECKPOINT_ACKNOWLEDGEMENT.test(id))).toEqual(SERVERLESS_ACKNOWLEDGED);
    expect(ids.filter((id) => DURABLE_CHECKPOINT_ACKNOWLEDGEMENT.test(id))).toHaveLength(1);
    for (const acknowledgement of acknowledgements)
      expect(acknowledgement.reason.length, acknowledgement.id).toBeGreaterThan(40);
  });

  it('IAM: no statement has a wildcard action, and no wildcard resource appears without an acknowledgement', () => {
    const statements = statementsOf(synth.template.toJSON());
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(20);
    const actions = allows.flatMap((statement) =>
      Array.isArray(statement.Action) ? statement.Action : [statement.Action ?? ''],
    );
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const wildcardResources = statements
      .flatMap((statement) =>
        Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource],
      )
      .map((resource) => JSON.stringify(resource) ?? '')
      .filter((resource) => resource.includes('*'));
    const unacknowledged = wildcardResources.filter(
      (resource) => !ACKNOWLEDGED_WILDCARD_RESOURCES.some(({ pattern }) => pattern.test(resource)),
    );
    expect(unacknowledged).toEqual([]);
  });

  it('secrets: no credential or secret appears in the template or in any function environment', () => {
    const text = JSON.stringify(synth.template.toJSON());
    expect(text).not.toMatch(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/); // access key IDs
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(text).not.toMatch(/aws_secret_access_key|secretAccessKey/i);
    const functions = synth.template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
    >;
    const variables = Object.values(functions).flatMap((fn) =>
      Object.entries(fn.Properties.Environment?.Variables ?? {}),
    );
    expect(variables.length).toBeGreaterThan(0);
    expect(
      variables
        .map(([name]) => name)
        .filter((name) => /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i.test(name)),
    ).toEqual([]);
    for (const [name, value] of variables) {
      if (typeof value !== 'string') continue; // Ref / GetAtt of a resource name, resolved at deploy
      expect(value, name).not.toMatch(/\b(AKIA|ASIA)[0-9A-Z]{16}\b|[A-Za-z0-9/+]{40}/);
    }
  });

  it('input: e-mail addresses and subjects are validated before SES is called', () => {
    const ok = { to: 'ada@example.com', subject: 'Welcome', text: 'Hi' };
    expect(sendEmailJob.payload.safeParse(ok).success).toBe(true);
    for (const bad of [
      { ...ok, to: 'not-an-address' },
      { ...ok, to: 'ada@example.com\r\nBcc: all@example.com' },
      { ...ok, replyTo: 'x@example.com\nBcc: y@example.com' },
      { ...ok, subject: 'Hi\r\nBcc: all@example.com' },
      { ...ok, subject: 'Hi\nX-Header: 1' },
    ]) {
      expect(sendEmailJob.payload.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('input: report HTML escapes data', () => {
    expect(escapeHtml('<script>alert("x")</script> & \'y\'')).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });
});
