import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobWorker } from '@serverless-jobs/cdk/constructs';
import { logicalIdOf, propertiesOf, type SynthesizedJobsApp, synthJobsApp } from '#test/infra/support/synth-jobs-app';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The fulfilment job's resources in the app's template: a durable job, as the declaration says. */
describe('Template: a durable job (fulfil-order)', () => {
  let synth: SynthesizedJobsApp;
  let worker: JobWorker;
  beforeAll(() => {
    synth = synthJobsApp();
    worker = synth.stack.workers.find((one) => one.jobName === 'fulfil-order')!;
  });

  it('deploys its execution function with durableConfig from the declaration, on arm64 and nodejs24.x', () => {
    const durable = propertiesOf(synth.template, logicalIdOf(worker.durable!.fn));
    expect(durable).toMatchObject({
      Handler: 'index.durable',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      DurableConfig: { ExecutionTimeout: 172_800, RetentionPeriodInDays: 14 },
    });
    expect(propertiesOf(synth.template, logicalIdOf(worker.fn))).not.toHaveProperty('DurableConfig');
    // Durable from its first deploy, so CDK's note on turning an existing function durable does not apply to it.
    expect(Annotations.fromStack(synth.stack).findInfo('*', Match.stringLikeRegexp('durability'))).toEqual([]);
  });

  it('starts executions from its queue through the alias: the starter has the queue and names the alias', () => {
    const starter = propertiesOf(synth.template, logicalIdOf(worker.fn)) as {
      Handler: string;
      Environment: { Variables: Record<string, unknown> };
    };
    expect(starter.Handler).toBe('index.handler');
    expect(starter.Environment.Variables.DURABLE_FUNCTION).toEqual({ Ref: logicalIdOf(worker.durable!.alias) });
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(worker.fn) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(worker.queue), 'Arn'] },
    });
    synth.template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: { Ref: logicalIdOf(worker.durable!.fn) },
    });
  });

  it('grants the start on the alias only, the checkpoints on its own executions only, and reading its run', () => {
    const policy = propertiesOf(
      synth.template,
      logicalIdOf(worker.node.findChild('Durable').node.findChild('DurablePolicy')),
    );
    const statements = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalIdOf(worker.durable!.alias) } },
      {
        Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(worker.durable!.fn), 'Arn'] }, ':*']] },
      },
      {
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(synth.stack.tables.ledger.table), 'Arn'] },
      },
    ]);
  });

  it('gives no other job a durable function', () => {
    const durableFunctions = Object.values(
      synth.template.findResources('AWS::Lambda::Function', { Properties: { DurableConfig: {} } }),
    );
    expect(durableFunctions).toHaveLength(1);
  });
});
