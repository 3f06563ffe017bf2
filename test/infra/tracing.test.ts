import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContextOverrideError } from '@serverless-jobs/cdk/config';
import { buildJobsApp } from '#infra/jobs-app';
import { logicalIdOf, type SynthesizedJobsApp, synthJobsApp, testApp } from '#test/infra/support/synth-jobs-app';

interface ValidationReport {
  readonly pluginReports: readonly { readonly violations: readonly { readonly ruleName: string }[] }[];
}
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: readonly string[];
}
interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

const X_RAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** Synthesizes the app (cdk-nag runs at synth) and reads what the tests look at. */
function synthesized(context: Record<string, unknown>) {
  const synth: SynthesizedJobsApp = synthJobsApp(context);
  const directory = synth.app.synth().directory;
  const resources = synth.template.toJSON().Resources as Record<string, Resource>;
  const report = JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  const metadata = JSON.parse(
    readFileSync(join(directory, `${synth.stack.artifactId}.metadata.json`), 'utf8'),
  ) as Record<string, { type: string; data: unknown }[]>;
  const acknowledgements = Object.entries(metadata).flatMap(([path, entries]) =>
    entries
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(
          ([id, reason]): Acknowledgement => ({ path, id, reason }),
        ),
      ),
  );
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const xrayStatements = Object.entries(resources).flatMap(([id, r]) =>
    r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('xray:')
      ? [{ id, properties: r.Properties ?? {} }]
      : [],
  );
  // A durable job has two functions on one role: its starter and its execution function.
  const lambdas = synth.stack.workers.flatMap((worker) =>
    worker.durable ? [worker.fn, worker.durable.fn] : [worker.fn],
  );
  return {
    synth,
    lambdas,
    resources,
    functions,
    xrayStatements,
    acknowledgements,
    violations: report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName)),
  };
}

describe('Tracing: the context switch tracing', () => {
  describe('off (no context, as in cdk.json)', () => {
    let off: ReturnType<typeof synthesized>;
    beforeAll(() => {
      off = synthesized({});
    });

    it(
      'leaves every function without active tracing and every role without an X-Ray grant, and acknowledges ' +
        "the Serverless pack's tracing finding on each function, saying how to turn tracing on",
      () => {
        expect(off.functions.length).toBe(off.lambdas.length);
        for (const [, fn] of off.functions) expect(fn.Properties?.TracingConfig).toBeUndefined();
        for (const worker of off.synth.stack.workers) expect(worker.tracing, worker.jobName).toBe(false);
        expect(off.xrayStatements).toEqual([]);
        const tracing = off.acknowledgements.filter((a) => a.id === 'Serverless::Serverless-LambdaTracing');
        expect(tracing).toHaveLength(off.lambdas.length);
        for (const { reason } of tracing) expect(reason).toContain('tracing=true');
        expect(off.violations).toEqual([]);
      },
    );
  });

  describe('on (-c tracing=true)', () => {
    let on: ReturnType<typeof synthesized>;
    beforeAll(() => {
      on = synthesized({ tracing: 'true' });
    });

    it('makes every function Active, its role granted the two X-Ray actions in a policy of its own', () => {
      expect(on.functions.length).toBe(on.lambdas.length);
      for (const [, fn] of on.functions) expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      for (const worker of on.synth.stack.workers) {
        expect(worker.tracing).toBe(true);
        const role = logicalIdOf(worker.role);
        const policies = on.xrayStatements.filter((p) => JSON.stringify(p.properties.Roles) === `[{"Ref":"${role}"}]`);
        expect(policies, worker.jobName).toHaveLength(1);
        expect(policies[0]!.properties.PolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: X_RAY_ACTIONS, Resource: '*' }],
        });
        // Created before the function: Lambda refuses active tracing to a role that cannot write segments.
        for (const fn of [worker.fn, worker.durable?.fn].filter((one) => one !== undefined))
          expect(on.resources[logicalIdOf(fn)]!.DependsOn).toContain(policies[0]!.id);
      }
    });

    it('drops the tracing acknowledgement; cdk-nag passes, Resource "*" acknowledged on X-Ray policies only', () => {
      expect(on.acknowledgements.filter((a) => a.id.includes('LambdaTracing'))).toEqual([]);
      expect(on.violations).toEqual([]);
      const wildcard = on.acknowledgements.filter((a) => a.id === 'AwsSolutions::AwsSolutions-IAM5[Resource::*]');
      expect(wildcard.map((a) => a.path.split('/').pop())).toEqual(on.synth.stack.workers.map(() => 'TracingPolicy'));
      // Else only a durable function's checkpoint grant on its own executions (`<function ARN>:*`).
      const others = on.acknowledgements.filter((a) => a.id.startsWith('AwsSolutions') && !wildcard.includes(a));
      expect(others.map((a) => a.path.split('/').pop())).toEqual(['DurablePolicy']);
    });
  });

  it('takes -c tracing=false as off, and refuses any other value naming the key and the value', () => {
    expect(synthJobsApp({ tracing: 'false' }).stack.workers.every((worker) => !worker.tracing)).toBe(true);
    expect(() => buildJobsApp(testApp({ tracing: 'yes' }))).toThrow(ContextOverrideError);
    expect(() => buildJobsApp(testApp({ tracing: 'yes' }))).toThrow(
      'Context "tracing" = "yes": expected true or false',
    );
  });
});
