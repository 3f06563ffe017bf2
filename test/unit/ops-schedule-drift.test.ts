import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runJobsCli } from '@serverless-jobs/cli/commands';
import { AwsScheduleControl, JobsOps, OpsInputError, type ScheduleSettings } from '@serverless-jobs/cli/ops';
import { jobOutputKey, StackOutputKey } from '@serverless-jobs/runtime/contracts';
import { defineJob, type JobDeclaration } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';
import { cleanupJob } from '#shared/jobs/cleanup';
import { FakeClock } from '#test/helpers/fake-clock';

const scheduler = mockClient(SchedulerClient);
const cloudFormation = mockClient(CloudFormationClient);

const twiceJob = defineJob({
  name: 'twice',
  description: 'A job with two schedules.',
  payload: z.object({}),
  schedules: [
    { name: 'morning', expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin', payload: {} },
    { name: 'evening', expression: 'cron(0 18 * * ? *)', timeZone: 'Europe/Berlin', payload: {} },
  ],
});
const JOBS: readonly JobDeclaration[] = [cleanupJob, twiceJob];
const STACK = 'ServerlessJobs-dev';
const DECLARED = {
  'cleanup/daily': { expression: 'cron(0 2 * * ? *)', timeZone: 'UTC', state: 'ENABLED' },
  'twice/morning': { expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin', state: 'ENABLED' },
  'twice/evening': { expression: 'cron(0 18 * * ? *)', timeZone: 'Europe/Berlin', state: 'ENABLED' },
} as const satisfies Record<string, ScheduleSettings>;
type Key = keyof typeof DECLARED;

const physical = (key: string) => `ServerlessJobs-dev-${key.replace('/', '-')}`;
const OUTPUTS: Record<string, string> = {
  [StackOutputKey.SCHEDULE_GROUP]: 'serverless-jobs-dev',
  ...Object.fromEntries(
    Object.keys(DECLARED).map((key) => {
      const [job, schedule] = key.split('/') as [string, string];
      return [jobOutputKey.schedule(job, schedule), physical(key)];
    }),
  ),
};

/** The template CloudFormation keeps from the last deploy, which wrote `deployed` for each schedule. */
function templateBody(deployed: Record<Key, ScheduleSettings>): string {
  const entries = Object.entries(deployed).map(([key, s]) => {
    const [job, schedule] = key.split('/') as [string, string];
    const logicalId = `Schedules${job}${schedule}0A1B2C3D`;
    const resource = {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        GroupName: 'serverless-jobs-dev',
        ScheduleExpression: s.expression,
        ScheduleExpressionTimezone: s.timeZone,
        State: s.state,
        FlexibleTimeWindow: { Mode: 'OFF' },
      },
    };
    return { logicalId, resource, output: [jobOutputKey.schedule(job, schedule), { Value: { Ref: logicalId } }] };
  });
  return JSON.stringify({
    Resources: Object.fromEntries(entries.map((e) => [e.logicalId, e.resource])),
    Outputs: Object.fromEntries(entries.map((e) => e.output)),
  });
}

/** GetSchedule answers `live` for each schedule: what the console left there. */
function liveSchedules(live: Partial<Record<Key, ScheduleSettings>>): void {
  scheduler.on(GetScheduleCommand).callsFake((input: { Name: string }): GetScheduleCommandOutput => {
    const key = (Object.keys(DECLARED) as Key[]).find((k) => physical(k) === input.Name)!;
    const s = live[key] ?? DECLARED[key];
    return {
      $metadata: {},
      Name: input.Name,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timeZone,
      State: s.state,
    };
  });
}

function opsOnAws(): JobsOps {
  const clock = new FakeClock(Date.parse('2026-11-24T08:00:00.000Z'));
  const sqs = new SQSClient({ region: 'us-east-1' });
  const control = new AwsScheduleControl({
    scheduler: new SchedulerClient({ region: 'us-east-1' }),
    events: new EventBridgeClient({ region: 'us-east-1' }),
    sqs,
    outputs: OUTPUTS,
    jobs: JOBS,
    clock,
  });
  const client = new CloudFormationClient({ region: 'us-east-1' });
  return new JobsOps({
    sqs,
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    outputs: OUTPUTS,
    jobs: JOBS,
    clock,
    schedules: control,
    target: 'aws',
    template: async () => (await client.send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody ?? '',
  });
}

const BERLIN_AT_3 = { expression: 'cron(0 3 * * ? *)', timeZone: 'Europe/Berlin', state: 'ENABLED' } as const;

describe('Method: JobsOps.drift (AWS, EventBridge Scheduler mocked)', () => {
  beforeEach(() => {
    scheduler.reset();
    cloudFormation.reset();
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: templateBody(DECLARED) });
  });

  it('reports a console edit that the next deploy keeps, with the commands to put it back or keep it', async () => {
    liveSchedules({ 'cleanup/daily': BERLIN_AT_3 });
    const report = await opsOnAws().drift({});
    expect(report.drifted).toBe(1);
    const cleanup = report.schedules.find((s) => s.job === 'cleanup')!;
    expect(cleanup).toMatchObject({
      drift: ['expression', 'timeZone'],
      live: BERLIN_AT_3,
      declared: DECLARED['cleanup/daily'],
      deployed: DECLARED['cleanup/daily'],
      nextDeploy: 'keeps',
      restore: ['npx jobs-cli schedule cleanup "cron(0 2 * * ? *)" --tz UTC'],
      keepContext: ['"schedule.cleanup": "cron(0 3 * * ? *)"', '"timezone.cleanup": "Europe/Berlin"'],
    });
    expect(cleanup.notes[0]).toContain(
      "Next cdk deploy: leaves it as it runs: this schedule's template does not change",
    );
    expect(report.schedules.filter((s) => s.job === 'twice').map((s) => s.drift)).toEqual([[], []]);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('compares with the context overrides: one that matches the edit is no drift, one that does not is', async () => {
    liveSchedules({ 'cleanup/daily': BERLIN_AT_3 });
    const kept = await opsOnAws().drift({
      'schedule.cleanup': 'cron(0 3 * * ? *)',
      'timezone.cleanup': 'Europe/Berlin',
    });
    expect(kept.drifted).toBe(0);

    liveSchedules({});
    const report = await opsOnAws().drift({ 'schedule.twice.evening': 'cron(0 19 * * ? *)' });
    expect(report.schedules.find((s) => s.schedule === 'evening')).toMatchObject({
      drift: ['expression'],
      declared: { expression: 'cron(0 19 * * ? *)' },
      contextKeys: ['schedule.twice.evening'],
      nextDeploy: 'restores',
      restore: ['npx jobs-cli schedule twice "cron(0 19 * * ? *)" --tz Europe/Berlin --schedule evening'],
      keepContext: ['"schedule.twice.evening": "cron(0 18 * * ? *)"'],
    });
  });

  it('says a deploy that changes the template puts the declared one back, and a pause is drift too', async () => {
    cloudFormation.on(GetTemplateCommand).resolves({
      TemplateBody: templateBody({ ...DECLARED, 'twice/morning': { ...DECLARED['twice/morning'], timeZone: 'UTC' } }),
    });
    liveSchedules({ 'twice/morning': { ...DECLARED['twice/morning'], state: 'DISABLED' } });
    const [morning] = (await opsOnAws().drift({}, 'twice')).schedules;
    expect(morning).toMatchObject({
      drift: ['state'],
      nextDeploy: 'restores',
      restore: ['npx jobs-cli resume twice --schedule morning'],
      keepContext: [],
    });
    expect(morning!.notes).toContain(
      'A pause has no context key: the declaration always deploys the schedule ENABLED.',
    );
  });

  it('still reports the drift when the template cannot be read, and a schedule deleted in the console', async () => {
    cloudFormation.on(GetTemplateCommand).rejects(new Error('AccessDenied: cloudformation:GetTemplate'));
    liveSchedules({ 'cleanup/daily': BERLIN_AT_3 });
    scheduler
      .on(GetScheduleCommand, { Name: physical('twice/evening') })
      .rejects(
        new ResourceNotFoundException({ Message: 'Schedule not found', message: 'Schedule not found', $metadata: {} }),
      );
    const report = await opsOnAws().drift({});
    expect(report).toMatchObject({ drifted: 2, templateError: 'AccessDenied: cloudformation:GetTemplate' });
    expect(report.schedules.map((s) => [s.schedule, s.drift, s.nextDeploy])).toEqual([
      ['daily', ['expression', 'timeZone'], 'unknown'],
      ['morning', [], undefined],
      ['evening', ['missing'], 'unknown'],
    ]);
  });

  it('refuses a context value the synth would refuse, naming the key and value, before calling AWS', async () => {
    liveSchedules({});
    const drift = opsOnAws().drift({ 'schedule.cleanup': 'at(2026-02-30T10:00:00)' });
    await expect(drift).rejects.toThrow(OpsInputError);
    await expect(drift).rejects.toThrow(
      'Context "schedule.cleanup" = "at(2026-02-30T10:00:00)": Invalid at expression',
    );
    expect(scheduler.commandCalls(GetScheduleCommand)).toHaveLength(0);
  });
});

describe('Command: jobs-cli drift --aws', () => {
  beforeEach(() => {
    scheduler.reset();
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          CreationTime: new Date(0),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: templateBody(DECLARED) });
  });

  async function jobsCli(argv: readonly string[], cdkContext: Record<string, string>) {
    const root = mkdtempSync(join(tmpdir(), 'sj-drift-'));
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: 'node infra/app.ts', context: cdkContext }));
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (text) => void out.push(text), err: (text) => void err.push(text), errIsTty: false };
    const code = await runJobsCli(['--aws', ...argv], io, { jobs: JOBS, root });
    return { code, out: out.join('\n'), err: err.join('') };
  }

  it('prints each difference and what the next cdk deploy does, reads cdk.json and -c, and exits 1', async () => {
    liveSchedules({
      'cleanup/daily': BERLIN_AT_3,
      'twice/morning': { ...DECLARED['twice/morning'], state: 'DISABLED' },
    });
    const ran = await jobsCli(['drift', '-c', 'schedule.twice.evening=cron(0 18 * * ? *)'], {
      'timezone.cleanup': 'Europe/Berlin',
    });
    expect(ran.err).toBe('');
    expect(ran.code).toBe(1);
    expect(ran.out.split('\n').slice(0, 3)).toEqual([
      'SCHEDULE       FIELD       LIVE               DECLARED           NEXT CDK DEPLOY',
      'cleanup/daily  expression  cron(0 3 * * ? *)  cron(0 2 * * ? *)  puts the declared one back',
      'twice/morning  state       DISABLED           ENABLED            keeps the live one',
    ]);
    expect(ran.out).toContain('  Run the declared one now: npx jobs-cli resume twice --schedule morning');
    expect(ran.out).toContain('    "schedule.cleanup": "cron(0 3 * * ? *)"\n    "timezone.cleanup": "Europe/Berlin"');
    expect(ran.out.split('\n').at(-1)).toBe(
      '2 of 3 schedule(s) differ from their declarations with the context of cdk.json and -c',
    );
  });

  it('exits 0 when every schedule runs as declared, and prints the report as JSON with --json', async () => {
    liveSchedules({});
    expect(await jobsCli(['drift'], {})).toMatchObject({
      code: 0,
      out: 'All 3 schedule(s) run as their declarations with the context of cdk.json and -c declare them',
    });
    const ran = await jobsCli(['drift', 'cleanup', '--json'], {});
    expect(JSON.parse(ran.out)).toMatchObject({
      target: 'aws',
      drifted: 0,
      schedules: [{ job: 'cleanup', drift: [] }],
    });
  });

  it('refuses a -c without a value, and a bad override in cdk.json, with exit code 2', async () => {
    expect(await jobsCli(['drift', '-c', 'schedule.cleanup'], {})).toMatchObject({
      code: 2,
      err: expect.stringContaining('-c takes key=value'),
    });
    expect(await jobsCli(['drift'], { 'schedule.cleanup': 'cron(0 25 * * ? *)' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('Context "schedule.cleanup" = "cron(0 25 * * ? *)": Invalid hours field "25"'),
    });
  });
});
