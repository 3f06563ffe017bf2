import { beforeAll, describe, expect, it } from 'vitest';
import { problemsOf } from '#test/infra/support/context-problems';
import { readAppConfig } from '#infra/config/app-config';
import { allJobs } from '#shared/jobs/registry';
import { physicalNameOf, resourcesOf } from '#test/infra/support/stage-resources';
import { BASE_CONTEXT, type SynthesizedJobsApp, synthJobsApp } from '#test/infra/support/synth-jobs-app';

const RETAINED = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

describe('Stack: what a delete or a failed create leaves behind', () => {
  const synths: Record<string, SynthesizedJobsApp> = {};
  beforeAll(() => {
    synths.dev = synthJobsApp({ stage: 'dev' });
    synths.prod = synthJobsApp({ stage: 'prod' });
  });

  const tablesOf = (stage: string) =>
    Object.values(resourcesOf(synths[stage]!.template)).filter((r) => r.Type === 'AWS::DynamoDB::Table');

  it('retains nothing under a name of its own, so the next create of the stage cannot collide with it', () => {
    for (const stage of ['dev', 'prod']) {
      const blocking = Object.entries(resourcesOf(synths[stage]!.template))
        .filter(([, r]) => RETAINED.has(r.DeletionPolicy ?? '') || RETAINED.has(r.UpdateReplacePolicy ?? ''))
        .filter(([id, r]) => physicalNameOf(r, id) !== undefined)
        .map(([id, r]) => `${id} (${r.Type})`);
      expect(blocking, stage).toEqual([]);
    }
  });

  it('deletes the named schedule group, and the schedules in it, with the stack', () => {
    for (const stage of ['dev', 'prod']) {
      const groups = Object.values(resourcesOf(synths[stage]!.template)).filter(
        (r) => r.Type === 'AWS::Scheduler::ScheduleGroup',
      );
      expect(
        groups.map((g) => [g.Properties?.Name, g.DeletionPolicy, g.UpdateReplacePolicy]),
        stage,
      ).toEqual([[`serverless-jobs-${stage}`, 'Delete', 'Delete']]);
    }
  });

  it(
    'retains the ledger and every app table on an update or a delete in every stage, and deletion-protects them ' +
      'in prod only',
    () => {
      // Outside production a failed create removes the tables it made; a rolled-back create of prod could not
      // delete a protected table, so there they are retained outright.
      const expected = { dev: ['RetainExceptOnCreate', 'Retain', undefined], prod: ['Retain', 'Retain', true] };
      for (const stage of ['dev', 'prod'] as const) {
        const tables = tablesOf(stage);
        expect(tables, stage).toHaveLength(5);
        for (const table of tables) {
          expect(table.Properties?.TableName, stage).toBeUndefined();
          expect(
            [table.DeletionPolicy, table.UpdateReplacePolicy, table.Properties?.DeletionProtectionEnabled],
            stage,
          ).toEqual(expected[stage]);
        }
      }
    },
  );

  it('deletion-protects the tables of any stage marked -c production=true', () => {
    const live = synthJobsApp({ stage: 'live', production: 'true' });
    expect(live.stack.stackName).toBe('ServerlessJobs-live');
    const tables = Object.values(resourcesOf(live.template)).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(5);
    for (const table of tables)
      expect([table.DeletionPolicy, table.Properties?.DeletionProtectionEnabled]).toEqual(['Retain', true]);
  });

  it('refuses production=false for the prod stage, and a production value that is not a boolean', () => {
    expect(problemsOf(() => readAppConfig({ ...BASE_CONTEXT, stage: 'prod', production: 'false' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "production" = "false": stage "prod" is always production/),
    ]);
    expect(problemsOf(() => readAppConfig({ ...BASE_CONTEXT, production: 'yes' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "production" = "yes": expected true or false/),
    ]);
    expect(readAppConfig({ ...BASE_CONTEXT, stage: 'qa', production: false }, allJobs).production).toBe(false);
  });
});
