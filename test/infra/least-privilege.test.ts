import { beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '#shared/jobs/registry';
import { type ResourceActions, roleActions } from '#test/infra/support/role-actions';
import { synthJobsApp } from '#test/infra/support/synth-jobs-app';

/** The event source mapping polls with the role; the runtime sets a record's retry delay. */
const CONSUME = ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'ChangeMessageVisibility'];
/** Its own queue, which it also sends to: a continuation, or an occurrence that waits its turn. */
const CONSUME_AND_SEND = [...CONSUME, 'SendMessage'];
const LOGS = ['CreateLogStream', 'PutLogEvents'];
/**
 * Every claim, completion, failure and checkpoint of a run, and every schedule lease, is one UpdateItem; a batch's
 * first claims and completions go together as PartiQL INSERT and UPDATE statements.
 */
const RUNS = ['UpdateItem', 'PartiQLInsert', 'PartiQLUpdate'];

/**
 * Every action of every job function's role, by resource: what the runtime calls (the ledger, its queue, its
 * DLQ, its logs) and what each job's declaration names. `dynamodb:`, `sqs:` and `logs:` are left out.
 */
const EXPECTED: Record<string, ResourceActions> = {
  'send-email': {
    logs: LOGS,
    'queue send-email': CONSUME,
    'dlq send-email': ['SendMessage'],
    'table Ledger': RUNS,
    // the stage's sender: its address identity, or its domain's
    'ses <sender domain>': ['ses:SendEmail'],
    'ses <sender>': ['ses:SendEmail'],
  },
  'bulk-email': {
    logs: LOGS,
    'queue bulk-email': CONSUME,
    'dlq bulk-email': ['SendMessage'],
    'table Ledger': RUNS,
    'queue send-email': ['SendMessage'],
  },
  // Durable: its starter and its execution function share the role. The starter starts executions through the
  // alias; the execution checkpoints its own executions and reads its run's status when it fails.
  'fulfil-order': {
    logs: LOGS,
    'durable logs': LOGS,
    'durable alias': ['lambda:InvokeFunction'],
    'durable executions': ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
    'queue fulfil-order': CONSUME,
    'dlq fulfil-order': ['SendMessage'],
    'table Ledger': [...RUNS, 'GetItem'],
    'queue send-email': ['SendMessage'],
    'table Orders': ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    'table Orders/index byProcessedDay': ['Query'],
  },
  'process-order': {
    logs: LOGS,
    'queue process-order': CONSUME,
    'dlq process-order': ['SendMessage'],
    'table Ledger': RUNS,
    'queue send-email': ['SendMessage'],
    // read and write: GetItem, and UpdateItem in its transaction; no DeleteItem, no BatchWriteItem
    'table Orders': ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    'table Orders/index byProcessedDay': ['Query'],
  },
  cleanup: {
    logs: LOGS,
    'queue cleanup': CONSUME_AND_SEND,
    'dlq cleanup': ['SendMessage'],
    'table Ledger': RUNS,
    // read and delete: Query, then BatchWriteItem deletes; no PutItem, no UpdateItem
    'table AuditLog': ['GetItem', 'BatchGetItem', 'Query', 'DeleteItem', 'BatchWriteItem'],
    'table Customers': ['GetItem', 'BatchGetItem', 'Query', 'DeleteItem', 'BatchWriteItem'],
    'table Customers/index byDeletedAt': ['Query'],
  },
  'daily-report': {
    logs: LOGS,
    'queue daily-report': CONSUME_AND_SEND,
    'dlq daily-report': ['SendMessage'],
    // its runs, and reading the job runs it counts (Query on the job's partitions)
    'table Ledger': [...RUNS, 'GetItem', 'BatchGetItem', 'Query'],
    'queue send-email': ['SendMessage'],
    // read only
    'table Orders': ['GetItem', 'BatchGetItem', 'Query'],
    'table Orders/index byProcessedDay': ['Query'],
    'table Reports': ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  },
  'monthly-report': {
    logs: LOGS,
    'queue monthly-report': CONSUME_AND_SEND,
    'dlq monthly-report': ['SendMessage'],
    'table Ledger': [...RUNS, 'GetItem', 'BatchGetItem', 'Query'],
    'queue send-email': ['SendMessage'],
    'table Orders': ['GetItem', 'BatchGetItem', 'Query'],
    'table Orders/index byProcessedDay': ['Query'],
    'table Reports': ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  },
  'schedule-watchdog': {
    logs: LOGS,
    'queue schedule-watchdog': CONSUME_AND_SEND,
    'dlq schedule-watchdog': ['SendMessage'],
    // schedule state (GetItem), many runs at once (BatchGetItem), the latest run (Query), a PENDING run taken back
    'table Ledger': [...RUNS, 'GetItem', 'BatchGetItem', 'Query', 'DeleteItem'],
    'queue cleanup': ['SendMessage'],
    'queue daily-report': ['SendMessage'],
    'queue monthly-report': ['SendMessage'],
  },
};

/** The DynamoDB writes, each with the access a declaration must name for it. */
const WRITES: Readonly<Record<string, 'write' | 'delete'>> = {
  PutItem: 'write',
  UpdateItem: 'write',
  ConditionCheckItem: 'write',
  PartiQLInsert: 'write',
  PartiQLUpdate: 'write',
  DeleteItem: 'delete',
  PartiQLDelete: 'delete',
  BatchWriteItem: 'delete',
};

/** The ledger writes the framework itself makes for a job, whatever it declares. */
const RUNTIME_LEDGER_WRITES = (job: string): readonly string[] =>
  job === 'schedule-watchdog' ? [...RUNS, 'DeleteItem'] : RUNS;

const sorted = (grants: ResourceActions): ResourceActions =>
  Object.fromEntries(Object.entries(grants).map(([resource, actions]) => [resource, [...actions].sort()]));

/** A dev stage as cdk.json gives it, and a production one as docs/deploy.md deploys it. */
const STAGES: [string, Record<string, unknown>, string][] = [
  ['dev', {}, 'jobs@example.com'],
  // Tracing's grant, the one wildcard, is tested on its own (tracing.test.ts).
  ['prod', { stage: 'prod', emailFrom: 'jobs@mail.example.org', emailIdentity: 'domain' }, 'jobs@mail.example.org'],
];

/** The grants with the stage's sender named as EXPECTED names it. */
const withSenderNamed = (grants: ResourceActions | undefined, sender: string): ResourceActions =>
  Object.fromEntries(
    Object.entries(grants ?? {}).map(([resource, actions]) => [
      resource.replace(`ses ${sender}`, 'ses <sender>').replace(`ses ${sender.split('@')[1]}`, 'ses <sender domain>'),
      actions,
    ]),
  );

describe.each(STAGES)('IAM: least privilege per job, stage %s', (_stage, context, sender) => {
  let actual: Record<string, ResourceActions>;
  beforeAll(() => {
    const synth = synthJobsApp(context);
    actual = roleActions(synth.template, synth.stack);
  });

  it('gives each function role exactly the actions its runtime and its declaration need', () => {
    expect(Object.keys(actual).sort()).toEqual(allJobs.map((job) => job.name).sort());
    for (const job of allJobs)
      expect(withSenderNamed(actual[job.name], sender), job.name).toEqual(sorted(EXPECTED[job.name] ?? {}));
  });

  it('grants no write or delete on a table that the job does not declare it writes or deletes', () => {
    const undeclared: string[] = [];
    for (const job of allJobs) {
      for (const [resource, actions] of Object.entries(actual[job.name] ?? {})) {
        const table = /^table ([^/]+)/.exec(resource)?.[1];
        if (!table) continue;
        const declared = job.resources.tables.find((use) => use.table.id === table)?.access ?? [];
        for (const action of actions) {
          const needs = WRITES[action];
          if (!needs || declared.includes(needs)) continue;
          if (table === 'Ledger' && RUNTIME_LEDGER_WRITES(job.name).includes(action)) continue;
          undeclared.push(`${job.name}: ${action} on ${resource}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});
