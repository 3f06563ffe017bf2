import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '@serverless-jobs/cli/commands';

describe('Function: parseCommandLine', () => {
  it('reads send with data, id and a delay in seconds', () => {
    const { command, global } = parseCommandLine([
      'send',
      'process-order',
      '--data',
      '{"orderId":"o-1"}',
      '--id',
      'o-1',
      '--delay',
      '2h',
      '--json',
    ]);
    expect(command).toEqual({
      name: 'send',
      job: 'process-order',
      data: '{"orderId":"o-1"}',
      file: undefined,
      id: 'o-1',
      delaySeconds: 7200,
    });
    expect(global).toEqual({ local: undefined, stage: 'dev', dataDir: undefined, json: true });
  });

  it('reads drift with an optional job and -c key=value pairs, a value keeping every = after the first', () => {
    expect(parseCommandLine(['drift']).command).toEqual({ name: 'drift', context: {} });
    expect(
      parseCommandLine(['drift', 'cleanup', '-c', 'schedule.cleanup=cron(0 3 * * ? *)', '--context', 'a=b=c']).command,
    ).toEqual({ name: 'drift', job: 'cleanup', context: { 'schedule.cleanup': 'cron(0 3 * * ? *)', a: 'b=c' } });
    expect(() => parseCommandLine(['drift', '-c', '=cron(0 3 * * ? *)'])).toThrow(UsageError);
    expect(() => parseCommandLine(['drift', '-c', 'schedule.cleanup'])).toThrow(
      '-c takes key=value, e.g. -c schedule.cleanup="cron(0 3 * * ? *)" (given "schedule.cleanup")',
    );
    expect(() => parseCommandLine(['drift', 'cleanup', 'send-email'])).toThrow('drift takes 1 argument(s)');
  });

  it('takes --stack for an app whose stack is not named ServerlessJobs-<stage>', () => {
    expect(parseCommandLine(['health', '--stack', 'ScratchVisits']).global).toMatchObject({ stack: 'ScratchVisits' });
    expect(parseCommandLine(['health']).global).not.toHaveProperty('stack');
  });

  it('reads runs with statuses, since and limit', () => {
    expect(
      parseCommandLine(['runs', 'cleanup', '--status', 'failed,DEAD', '--since', '1d', '--limit', '5']).command,
    ).toEqual({
      name: 'runs',
      job: 'cleanup',
      statuses: ['FAILED', 'DEAD'],
      sinceMs: 86_400_000,
      limit: 5,
    });
  });

  it('reads schedule, redrive and health, and does not take an option value for the command', () => {
    expect(
      parseCommandLine(['--stage', 'prod', 'schedule', 'cleanup', 'cron(0 3 * * ? *)', '--tz', 'Europe/Berlin']),
    ).toEqual({
      global: { local: undefined, stage: 'prod', dataDir: undefined, json: false },
      command: {
        name: 'schedule',
        job: 'cleanup',
        expression: 'cron(0 3 * * ? *)',
        timeZone: 'Europe/Berlin',
        schedule: undefined,
      },
    });
    expect(
      parseCommandLine(['redrive', 'send-email', '--dry-run', '--rate', '2.5', '--filter', 'reason=timeout']).command,
    ).toEqual({
      name: 'redrive',
      job: 'send-email',
      dryRun: true,
      rate: 2.5,
      filter: 'reason=timeout',
    });
    expect(parseCommandLine(['health', '--window', '30m']).command).toEqual({ name: 'health', windowMs: 1_800_000 });
    expect(parseCommandLine(['dlq', 'cleanup']).command).toEqual({ name: 'dlq', job: 'cleanup', peek: 10 });
    expect(parseCommandLine(['cancel', 'cleanup', 'c-1']).command).toEqual({
      name: 'cancel',
      job: 'cleanup',
      id: 'c-1',
    });
    expect(parseCommandLine(['--local', 'list']).global.local).toBe(true);
    expect(parseCommandLine(['list', '--aws']).global.local).toBe(false);
  });

  it('reads next with its schedule and count, 5 by default', () => {
    expect(parseCommandLine(['next', 'cleanup']).command).toEqual({
      name: 'next',
      job: 'cleanup',
      schedule: undefined,
      count: 5,
    });
    expect(parseCommandLine(['next', 'cleanup', '--schedule', 'daily', '--count', '100', '--json'])).toEqual({
      global: { local: undefined, stage: 'dev', dataDir: undefined, json: true },
      command: { name: 'next', job: 'cleanup', schedule: 'daily', count: 100 },
    });
  });

  it('reads backfill with its range, schedule and dry run', () => {
    expect(
      parseCommandLine([
        'backfill',
        'daily-report',
        '--from',
        '2027-02-01T00:00:00Z',
        '--to',
        '2027-02-04',
        '--dry-run',
      ]).command,
    ).toEqual({
      name: 'backfill',
      job: 'daily-report',
      schedule: undefined,
      from: new Date('2027-02-01T00:00:00Z'),
      to: new Date('2027-02-04T00:00:00Z'),
      dryRun: true,
    });
  });

  it('shows the usage for no command or --help', () => {
    expect(parseCommandLine([]).command.name).toBe('help');
    expect(parseCommandLine(['runs', '--help']).command.name).toBe('help');
  });

  it('answers --version with the CLI package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(parseCommandLine(['--version']).command).toEqual({ name: 'version', version });
  });

  it.each([
    [['deploy'], 'Unknown command "deploy"'],
    [['runs'], 'runs needs <job> (given 0 of 1)'],
    [['list', 'extra'], 'list takes 0 argument(s) (given an extra "extra")'],
    [['send', 'process-order'], 'send needs exactly one of --data and --file (given neither)'],
    [
      ['send', 'process-order', '--data', '{}', '--delay', 'soon'],
      '--delay must be a duration such as 30s, 15m, 2h or 1d (given "soon")',
    ],
    [
      ['runs', 'cleanup', '--status', 'LOST'],
      '--status takes RUNNING, SUCCEEDED, FAILED, DEAD, SKIPPED, PENDING, CANCELLED, comma-separated (given "LOST")',
    ],
    [['runs', 'cleanup', '--limit', '0'], '--limit must be a positive whole number (given "0")'],
    [['dlq', 'cleanup', '--peek', 'x'], '--peek must be a positive whole number (given "x")'],
    [['redrive', 'cleanup', '--rate', '0'], '--rate must be a positive number (given "0")'],
    [['next'], 'next needs <job> (given 0 of 1)'],
    [
      ['backfill', 'daily-report', '--to', '2027-02-04'],
      '--from is required: an ISO time such as 2027-02-01T06:00:00Z',
    ],
    [
      ['backfill', 'daily-report', '--from', 'yesterday', '--to', '2027-02-04'],
      '--from must be an ISO time such as 2027-02-01T06:00:00Z (given "yesterday")',
    ],
    [
      ['backfill', 'daily-report', '--from', '2027-02-01T06:00Z', '--to', '2027-02-31'],
      '--to must be an ISO time such as 2027-02-01T06:00:00Z (given "2027-02-31")',
    ],
    [['next', 'cleanup', '--count', '101'], '--count must be at most 100 (given 101)'],
    [['next', 'cleanup', '--count', '2.5'], '--count must be a positive whole number (given "2.5")'],
    [['list', '--local', '--aws'], '--local and --aws exclude each other'],
    [['list', '--verbose'], 'Unknown option --verbose; jobs-cli --help lists them (command list)'],
  ])('refuses %j with a usage error naming the value', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
