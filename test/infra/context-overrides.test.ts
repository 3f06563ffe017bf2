import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '#shared/jobs/registry';
import { readAppConfig } from '#infra/config/app-config';
import { problemsOf } from '#test/infra/support/context-problems';
import { parseContextValue } from '@serverless-jobs/cdk/config';
import { resolveJobs } from '@serverless-jobs/cdk/config';
import { buildJobsApp } from '#infra/jobs-app';
import { BASE_CONTEXT, type SynthesizedJobsApp, synthJobsApp, testApp } from '#test/infra/support/synth-jobs-app';
import { withoutAws } from '#test/helpers/offline-synth';

const jobNamed = (context: Record<string, unknown>, name: string) =>
  resolveJobs(allJobs, context).find((j) => j.declaration.name === name)!;

describe('Function: parseContextValue', () => {
  it('parses numbers, booleans and JSON but keeps expressions and zones as strings', () => {
    expect(parseContextValue('25')).toBe(25);
    expect(parseContextValue('true')).toBe(true);
    expect(parseContextValue('["a@example.com"]')).toEqual(['a@example.com']);
    expect(parseContextValue('cron(0 3 * * ? *)')).toBe('cron(0 3 * * ? *)');
    expect(parseContextValue('Europe/Berlin')).toBe('Europe/Berlin');
    expect(parseContextValue('2024-01-01')).toBe('2024-01-01');
    expect(parseContextValue(7)).toBe(7);
  });
});

describe('Function: resolveJobs', () => {
  it('overrides the expression and time zone of the only schedule', () => {
    const cleanup = jobNamed(
      { 'schedule.cleanup': 'cron(0 3 * * ? *)', 'timezone.cleanup': 'Europe/Berlin' },
      'cleanup',
    );
    expect(cleanup.declaration.schedules[0]).toMatchObject({
      name: 'daily',
      expression: 'cron(0 3 * * ? *)',
      timeZone: 'Europe/Berlin',
    });
  });

  it('overrides a schedule by name', () => {
    const report = jobNamed({ 'schedule.monthly-report.monthly': 'cron(0 1 1 * ? *)' }, 'monthly-report');
    expect(report.declaration.schedules[0]!.expression).toBe('cron(0 1 1 * ? *)');
  });

  it('overrides a setting, parsing numbers, and applies the schema defaults to the rest', () => {
    expect(jobNamed({ 'settings.cleanup.pageSize': '10' }, 'cleanup').settings).toEqual({
      auditRetentionDays: 90,
      customerRetentionDays: 30,
      pageSize: 10,
      shards: 8,
    });
  });

  it('fails when a schedule override is invalid, quoting the key and the value', () => {
    expect(problemsOf(() => resolveJobs(allJobs, { 'schedule.cleanup': 'cron(99 2 * * ? *)' }))).toEqual([
      expect.stringMatching(/^Context "schedule\.cleanup" = "cron\(99 2 \* \* \? \*\)": Invalid minutes field "99"/),
    ]);
  });

  it('fails when an at() override names a date the calendar lacks, quoting the key and the value', () => {
    expect(problemsOf(() => resolveJobs(allJobs, { 'schedule.cleanup': 'at(2026-02-30T10:00:00)' }))).toEqual([
      'Context "schedule.cleanup" = "at(2026-02-30T10:00:00)": Invalid at expression "at(2026-02-30T10:00:00)": ' +
        'day 30 is outside 01-28: 2026-02 has 28 days',
    ]);
    expect(
      problemsOf(() => resolveJobs(allJobs, { 'schedule.daily-report.daily': 'at(2026-13-01T25:00:00)' })),
    ).toEqual([
      expect.stringMatching(/^Context "schedule\.daily-report\.daily" = "at\(2026-13-01T25:00:00\)": .*month 13/),
    ]);
  });

  it('fails when a cron override never fires or steps by 0, quoting the key and the value', () => {
    const problems = problemsOf(() =>
      resolveJobs(allJobs, {
        'schedule.cleanup': 'cron(0 10 30 2 ? *)',
        'schedule.daily-report': 'cron(*/0 6 * * ? *)',
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^Context "schedule\.cleanup" = "cron\(0 10 30 2 \? \*\)": .*it never fires/),
      expect.stringMatching(/^Context "schedule\.daily-report" = "cron\(\*\/0 6 \* \* \? \*\)": .*step "0"/),
    ]);
  });

  it('fails when a time zone override is unknown, quoting the key and the value', () => {
    expect(problemsOf(() => resolveJobs(allJobs, { 'timezone.cleanup.daily': 'Mars/Olympus' }))).toEqual([
      expect.stringMatching(/^Context "timezone\.cleanup\.daily" = "Mars\/Olympus": Invalid time zone "Mars\/Olympus"/),
    ]);
  });

  it('fails when a key names an unknown job, schedule or setting', () => {
    const problems = problemsOf(() =>
      resolveJobs(allJobs, {
        'schedule.nightly': 'rate(1 day)',
        'schedule.cleanup.hourly': 'rate(1 hour)',
        'settings.cleanup.pagesize': '5',
        'schedule.send-email': 'rate(1 day)',
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^Context "schedule\.nightly" = "rate\(1 day\)": unknown job "nightly"/),
      expect.stringMatching(/^Context "schedule\.send-email" = "rate\(1 day\)": job "send-email" has 0 schedules/),
      expect.stringMatching(
        /^Context "schedule\.cleanup\.hourly" = "rate\(1 hour\)": job "cleanup" has no schedule "hourly"/,
      ),
      expect.stringMatching(/^Context "settings\.cleanup\.pagesize" = "5": job "cleanup" has no setting "pagesize"/),
    ]);
  });

  it('fails when a setting does not pass the job settings schema, quoting the key and the value', () => {
    expect(problemsOf(() => resolveJobs(allJobs, { 'settings.cleanup.pageSize': '100' }))).toEqual([
      expect.stringMatching(/^Context "settings\.cleanup\.pageSize" = "100": field "pageSize": .*\(given 100\)$/),
    ]);
  });
});

describe('Function: readAppConfig', () => {
  it('defaults the stage to dev and turns reportRecipients into the recipients of both report jobs', () => {
    const config = readAppConfig(
      { emailFrom: 'jobs@example.com', reportRecipients: 'a@example.com, b@example.com' },
      allJobs,
    );
    expect(config.stage).toBe('dev');
    const recipients = config.jobs
      .filter((j) => j.declaration.name.endsWith('-report'))
      .map((j) => (j.settings as { recipients: string[] }).recipients);
    expect(recipients).toEqual([
      ['a@example.com', 'b@example.com'],
      ['a@example.com', 'b@example.com'],
    ]);
  });

  it('fails when the stage, the sender or a recipient is invalid, quoting each', () => {
    const problems = problemsOf(() =>
      readAppConfig(
        { stage: 'prod env', emailFrom: 'nobody', reportRecipients: 'ops@example.com,not-an-address' },
        allJobs,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^Context "stage" = "prod env": /),
      expect.stringMatching(/^Context "emailFrom" = "nobody": expected the SES sender address \(used by send-email\)/),
      expect.stringMatching(/^Context "reportRecipients" = "ops@example.com,not-an-address": /),
    ]);
  });
});

describe('App: context overrides at synth', () => {
  let synth: SynthesizedJobsApp;
  beforeAll(() => {
    synth = synthJobsApp({
      stage: 'prod',
      'schedule.cleanup': 'cron(0 3 * * ? *)',
      'timezone.cleanup': 'Europe/Berlin',
    });
  });

  it('shows a good override in the template', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
    expect(synth.stack.stackName).toBe('ServerlessJobs-prod');
    synth.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'serverless-jobs-prod' });
  });

  it('fails synth on a bad override with the quoted key and value', () => {
    expect(() => buildJobsApp(testApp({ 'schedule.cleanup': 'cron(99 2 * * ? *)' }))).toThrow(
      /Context "schedule\.cleanup" = "cron\(99 2 \* \* \? \*\)": Invalid minutes field "99"/,
    );
  });

  it('fails synth on an at() override for 30 February, with the quoted key and value', () => {
    expect(() => buildJobsApp(testApp({ 'schedule.cleanup': 'at(2026-02-30T10:00:00)' }))).toThrow(
      'Context "schedule.cleanup" = "at(2026-02-30T10:00:00)": Invalid at expression "at(2026-02-30T10:00:00)": day 30',
    );
  });

  it('the app, as cdk synth runs it, prints only the message and exits 1, with no stack trace', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'jobs-bad-context-'));
    try {
      const context = { ...BASE_CONTEXT, 'aws:cdk:bundling-stacks': [], 'schedule.cleanup': 'cron(99 2 * * ? *)' };
      const run = spawnSync(
        process.execPath,
        ['--conditions=@serverless-jobs/source', '--import', 'tsx', 'infra/app.ts'],
        {
          env: { ...withoutAws(process.env), CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(
        'Invalid context:\n- Context "schedule.cleanup" = "cron(99 2 * * ? *)": Invalid minutes ' +
          'field "99" in "cron(99 2 * * ? *)": "99" is outside 0-59',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 30_000);
});
