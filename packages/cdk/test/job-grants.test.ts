import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JobsStack } from '@serverless-jobs/cdk/constructs';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import {
  defineJob,
  type JobResources,
  type ScheduleDeclaration,
  type TableDesign,
} from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const orders: TableDesign = {
  id: 'Orders',
  envVar: 'TABLE_ORDERS',
  partitionKey: 'orderId',
  indexes: [{ name: 'byDay', partitionKey: 'day', sortKey: 'at' }],
};

const job = (resources: JobResources, schedules: ScheduleDeclaration<Record<string, never>>[] = []) =>
  defineJob({ name: 'tally', description: 'Tallies orders.', payload: z.strictObject({}), resources, schedules });

/** A stack of the one job, unbundled: the function's code is this folder, as it stands. */
function stackOf(declaration: ReturnType<typeof job>): JobsStack {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'jobs-grants-test-')),
  });
  return new JobsStack(app, 'Grants', {
    jobs: [declaration],
    tables: [orders],
    entryOf: () => fileURLToPath(import.meta.url),
  });
}

/** The actions of the job's role on each resource it names, by the resource as the template writes it. */
function actionsOf(stack: JobsStack): Map<string, string[]> {
  const worker = stack.workers.find((w) => w.jobName === 'tally')!;
  const role = stack.resolve(worker.role.roleName) as unknown;
  const byResource = new Map<string, string[]>();
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  for (const policy of Object.values(policies)) {
    if (JSON.stringify(policy.Properties.Roles) !== JSON.stringify([role])) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[]) {
      const resource = JSON.stringify(statement.Resource);
      byResource.set(resource, [...(byResource.get(resource) ?? []), ...([] as string[]).concat(statement.Action)]);
    }
  }
  return byResource;
}

const arnOf = (stack: JobsStack, design: TableDesign): string =>
  JSON.stringify(stack.resolve(stack.tables.of(design, 'test').table.tableArn));

describe('JobWorker: grants from the declaration', () => {
  it('grants a table read only as reads, on the table and Query on each index', () => {
    const stack = stackOf(job({ tables: [{ table: orders, access: 'read' }] }));
    const actions = actionsOf(stack);
    expect(actions.get(arnOf(stack, orders))?.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    const index = [...actions.entries()].find(([resource]) => resource.includes('/index/byDay'));
    expect(index?.[1]).toEqual(['dynamodb:Query']);
  });

  it('splits write from delete: a writer cannot delete, a deleter cannot put or update', () => {
    const writer = stackOf(job({ tables: [{ table: orders, access: ['read', 'write'] }] }));
    expect(actionsOf(writer).get(arnOf(writer, orders))).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
    );
    expect(actionsOf(writer).get(arnOf(writer, orders))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/DeleteItem|BatchWriteItem/)]),
    );
    const deleter = stackOf(job({ tables: [{ table: orders, access: ['read', 'delete'] }] }));
    expect(actionsOf(deleter).get(arnOf(deleter, orders))?.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
  });

  it('keeps a plain design at every access, and warns at synth naming the job and the table', () => {
    const stack = stackOf(job({ tables: [orders] }));
    expect(actionsOf(stack).get(arnOf(stack, orders))).toHaveLength(8);
    Annotations.fromStack(stack).hasWarning(
      '/Grants/tally',
      Match.stringLikeRegexp('tally: resources.tables names table "Orders" without an access'),
    );
  });

  it('gives the runtime its ledger writes only, and lets a job read runs, never write them', () => {
    const plain = stackOf(job({}));
    expect(actionsOf(plain).get(arnOf(plain, ledgerTable))).toEqual([
      'dynamodb:UpdateItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
    ]);
    const reader = stackOf(job({ tables: [{ table: ledgerTable, access: 'read' }] }));
    expect(actionsOf(reader).get(arnOf(reader, ledgerTable))?.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(() => stackOf(job({ tables: [{ table: ledgerTable, access: ['read', 'delete'] }] }))).toThrow(
      'tally: resources.tables may name the run ledger read only; the runtime writes it (given ["read","delete"])',
    );
  });

  it('lets a job send to its own queue only when an occurrence may wait its turn there', () => {
    const schedule = { name: 'hourly', expression: 'rate(1 hour)', payload: {} };
    const sendsToOwn = (stack: JobsStack): boolean => {
      const queue = JSON.stringify(stack.resolve(stack.workers.find((w) => w.jobName === 'tally')!.queue.queueArn));
      return (actionsOf(stack).get(queue) ?? []).includes('sqs:SendMessage');
    };
    expect(sendsToOwn(stackOf(job({}, [{ ...schedule, overlap: 'skip' }])))).toBe(true);
    expect(sendsToOwn(stackOf(job({}, [{ ...schedule, overlap: 'allow' }])))).toBe(false);
    expect(sendsToOwn(stackOf(job({})))).toBe(false);
  });
});
