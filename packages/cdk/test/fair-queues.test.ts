import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JobsStack } from '@serverless-jobs/cdk/constructs';
import { defineJob, type FairnessPolicy } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const job = (fairness?: FairnessPolicy) =>
  defineJob({
    name: 'invoice',
    description: 'Invoices a customer.',
    payload: z.strictObject({ customerId: z.string() }),
    ...(fairness ? { fairness } : {}),
    schedules: [
      { name: 'nightly', expression: 'cron(0 3 * * ? *)', payload: { customerId: 'house' } },
      { name: 'hourly', expression: 'rate(1 hour)', payload: { customerId: 'house' }, via: 'rule' },
    ],
  });

/** The template of a stack of the one job, unbundled. */
function templateOf(declaration: ReturnType<typeof job>): Template {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'jobs-fair-test-')),
  });
  const stack = new JobsStack(app, 'Fair', { jobs: [declaration], entryOf: () => fileURLToPath(import.meta.url) });
  return Template.fromStack(stack);
}

describe('Template: a job that declares fairness', () => {
  const fair = templateOf(job({ key: 'customerId' }));

  it('keeps its queue and DLQ standard (a fair queue is a standard queue its producers send groups to)', () => {
    const queues = Object.values(fair.findResources('AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queue of queues) {
      expect(queue.Properties).not.toHaveProperty('FifoQueue');
      expect(queue.Properties).not.toHaveProperty('ContentBasedDeduplication');
      expect(queue.Properties).not.toHaveProperty('FifoThroughputLimit');
    }
  });

  it('synthesizes the same queues, function settings and schedules as without it: the key lives in the code', () => {
    const plain = templateOf(job());
    for (const type of ['AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule']) {
      expect(fair.findResources(type), type).toEqual(plain.findResources(type));
    }
    const environment = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Environment);
    expect(environment(fair)).toEqual(environment(plain));
  });

  it('sends schedule occurrences without a group: Scheduler takes one for FIFO queues only', () => {
    const targets = [
      ...Object.values(fair.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties.Target),
      ...Object.values(fair.findResources('AWS::Events::Rule')).flatMap((r) => r.Properties.Targets ?? []),
    ];
    expect(targets.length).toBeGreaterThanOrEqual(2);
    for (const target of targets) expect(target.SqsParameters?.MessageGroupId).toBeUndefined();
  });
});
