import { describe, expect, it } from 'vitest';
import { cleanupJob } from '#shared/jobs/cleanup';
import { processOrderJob } from '#shared/jobs/process-order';
import { sendEmailJob } from '#shared/jobs/send-email';
import { Attr } from '@serverless-jobs/runtime/contracts';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { redriveByCopy } from '@serverless-jobs/cli/ops';
import { OpsInputError } from '@serverless-jobs/cli/ops';
import { HEALTH_EXIT_CODE } from '@serverless-jobs/cli/ops';
import { deadLetters, messageCount, opsFixture, putRun, receiveAll } from '#test/helpers/ops-fixture';

const JOBS = [processOrderJob, cleanupJob, sendEmailJob];
const HOUR = 3_600_000;

describe('Class: JobsOps (on DynamoDB Local and fauxqs)', () => {
  describe('Method: send', () => {
    it('sends every valid entry in batches, as envelopes with the jobId attribute', async () => {
      const f = await opsFixture(JOBS);
      const entries = Array.from({ length: 12 }, (_, i) => ({ id: `o-${i}`, payload: { orderId: `o-${i}` } }));
      const progress: number[] = [];
      const result = await f.ops.send('process-order', entries, (done) => progress.push(done));
      const messages = await receiveAll(f.sqs, f.queueUrl('process-order'));
      expect(result).toMatchObject({ job: 'process-order', queued: 12, scheduled: [] });
      expect(progress).toEqual([10, 12]);
      expect(messages.map((m) => m.MessageAttributes?.[Attr.JOB_ID]?.StringValue).sort()).toEqual(
        entries.map((e) => e.id).sort(),
      );
      expect(JSON.parse(messages[0]!.Body!)).toMatchObject({
        job: 'process-order',
        payload: { orderId: expect.stringMatching(/^o-/) },
      });
    });

    it('sends nothing when one entry is invalid, naming the entry, the field and the value', async () => {
      const f = await opsFixture(JOBS);
      const sending = f.ops.send('process-order', [
        { payload: { orderId: 'o-1' } },
        { payload: { orderId: 'a b' } },
        { payload: { orderId: 'o-3' } },
      ]);
      await expect(sending).rejects.toThrow(OpsInputError);
      await expect(sending).rejects.toThrow(
        'nothing sent, 1 invalid: entry 2: field "orderId": must be letters, digits, _ or - (given "a b")',
      );
      expect(await messageCount(f.sqs, f.queueUrl('process-order'))).toBe(0);
    });

    it('names no entry number for a lone entry (send --data)', async () => {
      const f = await opsFixture(JOBS);
      await expect(f.ops.send('process-order', [{ payload: { orderId: 'a b' } }])).rejects.toThrow(
        /^send process-order: nothing sent: field "orderId": must be letters, digits, _ or - \(given "a b"\)$/,
      );
      expect(await messageCount(f.sqs, f.queueUrl('process-order'))).toBe(0);
    });

    it('refuses an unknown job, listing the jobs', async () => {
      const f = await opsFixture(JOBS);
      await expect(f.ops.send('process-orders', [{ payload: {} }])).rejects.toThrow(
        'Unknown job "process-orders"; the jobs are: process-order, cleanup, send-email',
      );
    });

    it('uses DelaySeconds up to 900 s and a one-time schedule beyond', async () => {
      const f = await opsFixture(JOBS);
      const result = await f.ops.send('cleanup', [
        { id: 'soon', payload: {}, delaySeconds: 30 },
        { id: 'later', payload: {}, delaySeconds: 7200 },
      ]);
      expect(result).toMatchObject({ queued: 1, scheduled: ['once-1'] });
      expect(f.control.sentAt).toEqual([
        { job: 'cleanup', at: new Date(f.clock.now() + 2 * HOUR).toISOString(), body: expect.any(String) },
      ]);
      expect(JSON.parse(f.control.sentAt[0]!.body)).toMatchObject({ id: 'later', job: 'cleanup', payload: {} });
      expect(await f.ops.queueCounts('cleanup')).toMatchObject({ visible: 0, delayed: 1 });
    });
  });

  describe('Method: runs', () => {
    it("lists a job's runs newest first, filtered by status and time", async () => {
      const f = await opsFixture(JOBS);
      await putRun(f.ledger, {
        job: 'process-order',
        id: 'a',
        status: RunStatus.SUCCEEDED,
        createdAt: '2026-11-24T05:00:00.000Z',
      });
      await putRun(f.ledger, {
        job: 'process-order',
        id: 'b',
        status: RunStatus.FAILED,
        createdAt: '2026-11-24T06:00:00.000Z',
        attempt: 2,
        lastError: 'boom',
      });
      await putRun(f.ledger, {
        job: 'process-order',
        id: 'c',
        status: RunStatus.DEAD,
        createdAt: '2026-11-24T07:00:00.000Z',
      });
      await putRun(f.ledger, {
        job: 'cleanup',
        id: 'd',
        status: RunStatus.FAILED,
        createdAt: '2026-11-24T07:30:00.000Z',
      });
      expect((await f.ops.runs('process-order')).map((r) => r.id)).toEqual(['c', 'b', 'a']);
      const failed = await f.ops.runs('process-order', { statuses: [RunStatus.FAILED, RunStatus.DEAD] });
      expect(failed.map((r) => [r.id, r.status])).toEqual([
        ['c', 'DEAD'],
        ['b', 'FAILED'],
      ]);
      expect(failed[1]).toMatchObject({ attempt: 2, lastError: 'boom' });
      expect(
        (await f.ops.runs('process-order', { since: '2026-11-24T05:30:00.000Z', limit: 1 })).map((r) => r.id),
      ).toEqual(['c']);
    });
  });

  describe('Method: peekDlq', () => {
    it('shows reason and attempts, and leaves every message in the DLQ', async () => {
      const f = await opsFixture(JOBS);
      await deadLetters(f.sqs, f.dlqUrl('send-email'), [
        { jobId: 'mail-1', reason: 'field "to": Invalid email address (given "bob")', attempts: 1 },
        { jobId: 'mail-2', reason: 'MessageRejected: address blacklisted', attempts: 3 },
      ]);
      const peeked = await f.ops.peekDlq('send-email', 10);
      expect(peeked.map((d) => [d.jobId, d.attempts, d.reason]).sort()).toEqual([
        ['mail-1', 1, 'field "to": Invalid email address (given "bob")'],
        ['mail-2', 3, 'MessageRejected: address blacklisted'],
      ]);
      expect(peeked[0]!.deadAt).toBe('2026-11-24T07:00:00.000Z');
      expect(await f.ops.queueCounts('send-email')).toMatchObject({ dlqVisible: 2, dlqInFlight: 0 });
    });
  });

  describe('Method: redrive', () => {
    const letters = [
      { jobId: 'o-1', reason: 'Order o-1 not found', attempts: 1, fence: 1 },
      { jobId: 'o-2', reason: 'Timeout after 30 s', attempts: 5, fence: 5 },
      { jobId: 'o-3', reason: 'Timeout after 30 s', attempts: 5, fence: 6 },
    ];

    it('moves nothing in a dry run, but lists what would move', async () => {
      const f = await opsFixture(JOBS);
      await deadLetters(f.sqs, f.dlqUrl('process-order'), letters);
      const result = await f.ops.redrive('process-order', { dryRun: true });
      expect(result.moved.map((d) => d.jobId).sort()).toEqual(['o-1', 'o-2', 'o-3']);
      expect(await f.ops.queueCounts('process-order')).toMatchObject({ visible: 0, dlqVisible: 3, dlqInFlight: 0 });
    });

    it('moves every message exactly once, keeping body and every attribute, the dead fence among them', async () => {
      const f = await opsFixture(JOBS);
      await deadLetters(f.sqs, f.dlqUrl('process-order'), letters);
      const result = await f.ops.redrive('process-order');
      expect(result.moved).toHaveLength(3);
      expect(await messageCount(f.sqs, f.dlqUrl('process-order'))).toBe(0);
      const moved = await receiveAll(f.sqs, f.queueUrl('process-order'));
      expect(moved).toHaveLength(3);
      const o2 = moved.find((m) => m.MessageAttributes?.[Attr.JOB_ID]?.StringValue === 'o-2')!;
      expect(o2.Body).toBe(JSON.stringify({ id: 'o-2', payload: {} }));
      expect(o2.MessageAttributes?.[Attr.DEAD_FENCE]).toMatchObject({ DataType: 'Number', StringValue: '5' });
      expect(o2.MessageAttributes?.[Attr.ATTEMPTS]?.StringValue).toBe('5');
      expect(o2.MessageAttributes?.[Attr.REASON]?.StringValue).toBe('Timeout after 30 s');
    });

    it('moves only what the filter matches, and leaves the rest in the DLQ', async () => {
      const f = await opsFixture(JOBS);
      await deadLetters(f.sqs, f.dlqUrl('process-order'), letters);
      const byReason = await f.ops.redrive('process-order', { filter: 'reason=timeout' });
      expect(byReason.moved.map((d) => d.jobId).sort()).toEqual(['o-2', 'o-3']);
      expect(byReason.skipped).toBe(1);
      expect(await f.ops.queueCounts('process-order')).toMatchObject({ visible: 2, dlqVisible: 1, dlqInFlight: 0 });
      const byId = await f.ops.redrive('process-order', { filter: 'jobId=o-1' });
      expect(byId.moved.map((d) => d.jobId)).toEqual(['o-1']);
      expect(await f.ops.queueCounts('process-order')).toMatchObject({ visible: 3, dlqVisible: 0 });
    });

    it('keeps to the rate', async () => {
      const slept: number[] = [];
      const f = await opsFixture(JOBS, { sleep: async (ms) => void slept.push(ms) });
      await deadLetters(f.sqs, f.dlqUrl('process-order'), letters);
      await f.ops.redrive('process-order', { rate: 1 });
      expect(slept).toEqual([0, 1000, 2000]);
    });
  });

  describe('Method: health', () => {
    it('is Healthy, then Degraded with a failure in the window, then Unhealthy with a dead letter', async () => {
      const f = await opsFixture(JOBS);
      f.clock.set('2026-11-24T08:00:00.000Z');
      await putRun(f.ledger, {
        job: 'cleanup',
        id: 'daily@2026-11-24T02:00:00Z',
        status: RunStatus.SUCCEEDED,
        createdAt: '2026-11-24T02:00:01.000Z',
      });
      const healthy = await f.ops.health(HOUR);
      expect(healthy.state).toBe('Healthy');
      expect(healthy.jobs.find((j) => j.job === 'cleanup')).toMatchObject({
        lastSuccess: '2026-11-24T02:00:01.000Z',
        nextOccurrence: '2026-11-25T02:00:00.000Z',
      });
      // A run redriven out of the DLQ: created before the one above, it finished after it.
      await putRun(f.ledger, {
        job: 'cleanup',
        id: 'redriven',
        status: RunStatus.SUCCEEDED,
        createdAt: '2026-11-23T02:00:01.000Z',
        finishedAt: '2026-11-24T07:30:00.000Z',
      });
      expect((await f.ops.health(HOUR)).jobs.find((j) => j.job === 'cleanup')?.lastSuccess).toBe(
        '2026-11-24T07:30:00.000Z',
      );

      await putRun(f.ledger, {
        job: 'send-email',
        id: 'm-1',
        status: RunStatus.FAILED,
        createdAt: '2026-11-24T07:45:00.000Z',
      });
      await putRun(f.ledger, {
        job: 'send-email',
        id: 'm-0',
        status: RunStatus.FAILED,
        createdAt: '2026-11-24T06:00:00.000Z',
      });
      const degraded = await f.ops.health(HOUR);
      expect(HEALTH_EXIT_CODE[degraded.state]).toBe(1);
      expect(degraded.jobs.find((j) => j.job === 'send-email')?.reasons).toEqual([
        '1 FAILED/DEAD run(s) in the last 1h',
      ]);

      await deadLetters(f.sqs, f.dlqUrl('process-order'), [
        { jobId: 'o-9', reason: 'Order o-9 not found', attempts: 1 },
      ]);
      const unhealthy = await f.ops.health(HOUR);
      expect(HEALTH_EXIT_CODE[unhealthy.state]).toBe(2);
      expect(unhealthy.jobs.find((j) => j.job === 'process-order')).toMatchObject({
        state: 'Unhealthy',
        dlqDepth: 1,
        reasons: ['1 message(s) in the DLQ'],
      });
    });

    it('is Unhealthy when a schedule missed its last occurrence, unless it is paused', async () => {
      const f = await opsFixture(JOBS);
      f.clock.set('2026-11-24T08:00:00.000Z');
      const missed = await f.ops.health(HOUR);
      expect(missed.jobs.find((j) => j.job === 'cleanup')?.reasons).toEqual([
        'schedule "daily" missed its occurrence 2026-11-24T02:00:00Z: no run in the ledger',
      ]);
      await f.ops.pause('cleanup');
      expect((await f.ops.health(HOUR)).state).toBe('Healthy');
    });
  });

  describe('Method: nextOccurrences', () => {
    it('lists the next occurrences of the named schedule, 5 by default, with DST notes', async () => {
      const f = await opsFixture(JOBS);
      f.clock.set('2027-03-26T12:00:00Z');
      await f.ops.updateSchedule('cleanup', 'cron(30 2 * * ? *)', { timeZone: 'Europe/Berlin' });
      const [view, ...others] = await f.ops.nextOccurrences('cleanup', { schedule: 'daily' });
      expect(others).toEqual([]);
      expect(view!.upcoming.map((o) => [o.at, o.dst])).toEqual([
        ['2027-03-27T01:30:00.000Z', undefined],
        ['2027-03-28T01:00:00.000Z', 'gap-skipped'],
        ['2027-03-29T00:30:00.000Z', undefined],
        ['2027-03-30T00:30:00.000Z', undefined],
        ['2027-03-31T00:30:00.000Z', undefined],
      ]);
      expect((await f.ops.nextOccurrences('cleanup', { count: 2 }))[0]!.upcoming).toHaveLength(2);
    });

    it('refuses a count outside 1-100 and an unknown schedule', async () => {
      const f = await opsFixture(JOBS);
      await expect(f.ops.nextOccurrences('cleanup', { count: 101 })).rejects.toThrow(
        'count must be a whole number from 1 to 100 (given 101)',
      );
      await expect(f.ops.nextOccurrences('cleanup', { schedule: 'hourly' })).rejects.toThrow(
        'Job "cleanup" has no schedule "hourly"',
      );
    });
  });

  describe('Method: updateSchedule', () => {
    it('changes the schedule and returns the context lines that keep the change', async () => {
      const f = await opsFixture(JOBS);
      const update = await f.ops.updateSchedule('cleanup', 'cron(0 3 * * ? *)', { timeZone: 'Europe/Berlin' });
      expect(f.control.calls).toEqual([`update ${f.outputs.ScheduleCleanupDaily} cron(0 3 * * ? *) Europe/Berlin`]);
      expect(update.contextLines).toEqual([
        '"schedule.cleanup": "cron(0 3 * * ? *)"',
        '"timezone.cleanup": "Europe/Berlin"',
      ]);
      expect(update.driftWarning).toContain("a cdk deploy that changes this schedule's template puts that back");
      expect(update.next[0]).toBe('2026-11-25T02:00:00.000Z');
    });

    it('refuses a bad expression or zone, quoting it, and changes nothing', async () => {
      const f = await opsFixture(JOBS);
      await expect(f.ops.updateSchedule('cleanup', 'cron(99 2 * * ? *)')).rejects.toThrow('Invalid minutes field "99"');
      await expect(f.ops.updateSchedule('cleanup', 'cron(0 3 * * ? *)', { timeZone: 'Mars/Olympus' })).rejects.toThrow(
        'Invalid time zone "Mars/Olympus"',
      );
      await expect(f.ops.trigger('process-order')).rejects.toThrow('Job "process-order" has no schedule');
      expect(f.control.calls).toEqual([]);
    });
  });
});

describe('Function: redriveByCopy', () => {
  it(
    'leaves a message that reached the DLQ after the redrive began, so one that fails again at once ' + 'cannot loop',
    async () => {
      const f = await opsFixture(JOBS);
      await deadLetters(f.sqs, f.dlqUrl('process-order'), [
        { jobId: 'o-late', reason: 'fails again at once', attempts: 1, fence: 1 },
      ]);
      // Seen from a redrive that began a minute before the message arrived:
      const began = Date.now() - 60_000;
      const result = await redriveByCopy(f.sqs, {
        dlqUrl: f.dlqUrl('process-order'),
        queueUrl: f.queueUrl('process-order'),
        now: () => 0,
        sleep: async () => {},
        wallClock: () => began,
      });
      expect(result).toEqual({ moved: [], skipped: 0, failedAgain: 0, arrivedMeanwhile: 1 });
      expect(await messageCount(f.sqs, f.dlqUrl('process-order'))).toBe(1);
    },
  );
});
