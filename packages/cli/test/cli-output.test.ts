import { describe, expect, it } from 'vitest';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { type CliIo, runCommand } from '@serverless-jobs/cli/commands';
import type { JobsOps } from '@serverless-jobs/cli/ops';
import type { RedriveResult } from '@serverless-jobs/cli/ops';

const NOW = new Date('2027-03-26T12:00:00Z');

/** The command's text output, from an ops core that answers with `ops`. */
async function textOf(command: Parameters<typeof runCommand>[0], ops: Partial<JobsOps>): Promise<string> {
  const out: string[] = [];
  const io: CliIo = { out: (text) => void out.push(text), err: () => {}, errIsTty: false, now: () => NOW.getTime() };
  expect(await runCommand(command, false, ops as JobsOps, io)).toBe(0);
  return out.join('\n');
}

describe('Function: runCommand (text output)', () => {
  it('says what a cancel did, and exits 1 with the status of a run that had finished', async () => {
    const outcome = async (answer: Awaited<ReturnType<JobsOps['cancel']>>) => {
      const out: string[] = [];
      const io: CliIo = { out: (text) => void out.push(text), err: () => {}, errIsTty: false, now: () => 0 };
      const code = await runCommand(
        { name: 'cancel', job: 'cleanup', id: 'c-1' },
        false,
        {
          cancel: async () => answer,
        } as unknown as JobsOps,
        io,
      );
      return [code, out.join('\n')];
    };
    expect(await outcome({ cancelled: true, was: 'QUEUED' })).toEqual([
      0,
      'Cancelled cleanup/c-1 (queued): it never starts',
    ]);
    expect(await outcome({ cancelled: true, was: RunStatus.RUNNING })).toEqual([
      0,
      'Cancelled cleanup/c-1 (RUNNING): it stops at its next checkpoint, progress report, enqueue, step or completion',
    ]);
    expect(await outcome({ cancelled: true, was: RunStatus.RUNNING, execution: {}, notFound: 'callback' })).toEqual([
      0,
      'Cancelled cleanup/c-1 (RUNNING): the callback its durable execution waited for was no longer waiting; an ' +
        'execution still running stops at its next step',
    ]);
    expect(await outcome({ cancelled: true, was: RunStatus.RUNNING, execution: {}, stopsAtNextStep: true })).toEqual([
      0,
      'Cancelled cleanup/c-1 (RUNNING): its durable execution stops at its next step, when its wait ends',
    ]);
    expect(
      await outcome({ cancelled: false, status: RunStatus.SUCCEEDED, finishedAt: '2027-03-26T10:00:00.000Z' }),
    ).toEqual([1, 'cleanup/c-1 is SUCCEEDED since 2027-03-26T10:00:00Z: finished, so nothing changed']);
  });

  it('lists a paused schedule as paused and an enabled one as active', async () => {
    const schedule = (name: string, state: 'ENABLED' | 'DISABLED') => ({
      name,
      state,
      expression: 'cron(0 2 * * ? *)',
      timeZone: 'UTC',
      next: [],
      dstShifts: [],
    });
    const listJobs = async () => [
      { name: 'cleanup', schedules: [schedule('daily', 'DISABLED')] },
      { name: 'daily-report', schedules: [schedule('daily', 'ENABLED')] },
    ];
    const lines = (await textOf({ name: 'list' }, { listJobs } as unknown as Partial<JobsOps>)).split('\n');
    expect(lines[1]).toMatch(/^cleanup\s+daily\s+paused\s+cron/);
    expect(lines[2]).toMatch(/^daily-report\s+daily\s+active\s+cron/);
  });

  it('says which statuses found no run', async () => {
    const runs = async () => [];
    expect(
      await textOf(
        {
          name: 'runs',
          job: 'send-email',
          statuses: [RunStatus.DEAD, RunStatus.FAILED],
          sinceMs: 3_600_000,
          limit: 20,
        },
        { runs },
      ),
    ).toBe('No DEAD or FAILED runs of send-email since 2027-03-26T11:00:00Z');
    expect(await textOf({ name: 'runs', job: 'send-email', statuses: [], limit: 20 }, { runs })).toBe(
      'No runs of send-email',
    );
  });

  it(
    'shows the last error of a run that is not a success, and none for a success redriven out of ' + 'the DLQ',
    async () => {
      const run = {
        job: 'process-order',
        attempt: 1,
        createdAt: '2027-03-26T10:00:00.000Z',
        lastError: 'permanent failure: no such order',
      };
      const runs = async () => [
        { ...run, id: 'order/o-1', status: RunStatus.SUCCEEDED },
        { ...run, id: 'order/o-2', status: RunStatus.DEAD },
      ];
      const [, succeeded, dead] = (
        await textOf({ name: 'runs', job: 'process-order', statuses: [], limit: 20 }, { runs })
      ).split('\n');
      expect(succeeded).toMatch(/order\/o-1\s+SUCCEEDED\s+1$/);
      expect(dead).toMatch(/order\/o-2\s+DEAD\s+1\s+permanent failure: no such order$/);
    },
  );

  it("shows each run's trace ID, the one on its log lines, in a TRACE column", async () => {
    const traceId = '1-6650f3a2-0123456789abcdef01234567';
    const runs = async () => [
      { job: 'send-email', id: 'welcome/ada', status: RunStatus.SUCCEEDED, attempt: 1, createdAt: '', traceId },
      { job: 'send-email', id: 'welcome/bob', status: RunStatus.SUCCEEDED, attempt: 1, createdAt: '' },
    ];
    const [header, traced, untraced] = (
      await textOf({ name: 'runs', job: 'send-email', statuses: [], limit: 20 }, { runs })
    ).split('\n');
    expect(header).toMatch(/^CREATED\s+ID\s+STATUS\s+ATTEMPT\s+DURATION\s+PROGRESS\s+TRACE\s+LAST ERROR \/ REASON$/);
    expect(traced).toMatch(new RegExp(`welcome/ada\\s+SUCCEEDED\\s+1\\s+${traceId}$`));
    expect(untraced).toMatch(/welcome\/bob\s+SUCCEEDED\s+1$/);
  });

  it('shows what a running job last reported with ctx.progress, and nothing for one that never did', async () => {
    const runs = async () => [
      {
        job: 'cleanup',
        id: 'cleanup/2027-03-26',
        status: RunStatus.RUNNING,
        attempt: 1,
        createdAt: '',
        progress: { done: 40, total: 100, note: 'audit log', at: '2027-03-26T10:00:05.000Z' },
      },
      { job: 'cleanup', id: 'cleanup/2027-03-25', status: RunStatus.SUCCEEDED, attempt: 1, createdAt: '' },
    ];
    const [, running, done] = (await textOf({ name: 'runs', job: 'cleanup', statuses: [], limit: 20 }, { runs })).split(
      '\n',
    );
    expect(running).toMatch(/cleanup\/2027-03-26\s+RUNNING\s+1\s+40\/100 audit log$/);
    expect(done).toMatch(/cleanup\/2027-03-25\s+SUCCEEDED\s+1$/);
  });

  it(
    'lists the moved messages under the line that counts them, and the ones the filter left after ' + 'the table',
    async () => {
      const result: RedriveResult = {
        job: 'process-order',
        dryRun: false,
        moved: [
          {
            messageId: 'm-1',
            jobId: 'order/o-1',
            reason: 'no such order',
            attempts: 1,
            deadAt: '2027-03-26T10:00:00.000Z',
            body: '{}',
          },
        ],
        skipped: 2,
        failedAgain: 0,
        arrivedMeanwhile: 0,
      };
      const text = await textOf(
        { name: 'redrive', job: 'process-order', dryRun: false, filter: 'jobId=order/o-1' },
        { redrive: async () => result },
      );
      expect(text.split('\n')).toEqual([
        'Moved 1 message(s) from the process-order DLQ to its queue:',
        '',
        expect.stringMatching(/^JOB ID\s+ATTEMPTS\s+DEAD AT\s+REASON$/),
        expect.stringMatching(/^order\/o-1\s+1\s+2027-03-26T10:00:00Z\s+no such order$/),
        '',
        '2 left in the DLQ: the filter did not match them',
      ]);
    },
  );

  it(
    'without a filter, never blames one: counts the moved messages that failed again and came back, and ' +
      'the other dead letters that arrived meanwhile',
    async () => {
      const result: RedriveResult = {
        job: 'process-order',
        dryRun: false,
        moved: [
          {
            messageId: 'm-1',
            jobId: 'order/ghost-1',
            reason: 'no such order',
            attempts: 1,
            deadAt: '2027-03-26T10:00:00.000Z',
            body: '{}',
          },
        ],
        skipped: 0,
        failedAgain: 1,
        arrivedMeanwhile: 2,
      };
      const text = await textOf(
        { name: 'redrive', job: 'process-order', dryRun: false },
        { redrive: async () => result },
      );
      expect(text).not.toContain('filter');
      expect(text.split('\n')).toEqual([
        'Moved 1 message(s) from the process-order DLQ to its queue:',
        '',
        expect.stringMatching(/^JOB ID\s+ATTEMPTS\s+DEAD AT\s+REASON$/),
        expect.stringMatching(/^order\/ghost-1\s+1\s+2027-03-26T10:00:00Z\s+no such order$/),
        '',
        '1 of the moved message(s) failed again and came back to the DLQ while the redrive ran (see jobs-cli ' +
          'dlq process-order)',
        '2 other dead letter(s) reached the DLQ while the redrive ran; left there',
      ]);
    },
  );
});
