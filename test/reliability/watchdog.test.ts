import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DynamoDbOccurrenceLedger } from '@serverless-jobs/runtime/adapters';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import type { CatchUpPolicy } from '@serverless-jobs/runtime/jobs';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { runWatchdog, type WatchFigures } from '@serverless-jobs/runtime/schedules';
import { watchedSchedules } from '@serverless-jobs/runtime/schedules';
import { dynamo, sqs } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * The watchdog, on a fake clock: an hourly schedule's occurrences are delivered (or not) to the real
 * runtime on DynamoDB Local and fauxqs, and the watchdog compares them with the ledger it left.
 */
const HOUR = 3_600_000;
const DAY0 = Date.parse('2027-01-04T00:00:00Z');
const at = (hours: number, minutes = 0) => DAY0 + hours * HOUR + minutes * 60_000;
const iso = (millis: number) => new Date(millis).toISOString().replace('.000Z', 'Z');
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function hourlyJob(catchUp: CatchUpPolicy) {
  return defineJob({
    name: 'hourly-sync',
    description: 'an hourly schedule under the watchdog',
    payload: z.strictObject({}),
    schedules: [{ name: 'hourly', expression: 'cron(0 * * * ? *)', payload: {}, catchUp }],
  });
}

function harness(f: RuntimeFixture, catchUp: CatchUpPolicy) {
  const job = hourlyJob(catchUp);
  const deps = f.deps(job, async () => undefined);
  const ledger = new DynamoDbOccurrenceLedger(dynamo(), f.ledgerName);
  const published: WatchFigures[] = [];
  return {
    job,
    ledger,
    published,
    /** EventBridge delivering occurrence `hour`, its message arriving `lateMinutes` after its time. */
    deliver: async (hour: number, lateMinutes = 0) => {
      f.clock.set(iso(at(hour, lateMinutes) + 2_000));
      const record = sqsRecordFactory(
        { job: job.name, schedule: 'hourly', occurrence: iso(at(hour)), timeZone: 'UTC', payload: {} },
        { sentAt: at(hour, lateMinutes) },
      );
      return (await processBatch(deps, [record])).outcomes;
    },
    watch: async (now: number) => {
      const reports = await runWatchdog(
        watchedSchedules([job]),
        { ledger, send: (target, jobs) => f.queue.send(target, jobs) },
        {
          now,
          missedAfterMs: 10 * 60_000,
          logger: quiet,
          metrics: (_job, figures) => void published.push(figures),
        },
      );
      return reports[0]!;
    },
  };
}

describe('Schedule watchdog (fake clock, DynamoDB Local, fauxqs)', () => {
  it(
    'counts exactly 1 missed and 1 duplicate with a schedule paused, one occurrence dropped and one ' +
      'duplicated; the pause raises no alarm',
    async () => {
      const f = await createRuntimeFixture();
      const h = harness(f, { window: '6h', mode: 'none' });
      // the first check only starts the watch
      expect(await h.watch(at(0, 30))).toMatchObject({ expected: 0, missed: [] });

      await h.deliver(1);
      await h.deliver(2, 20); // 20 minutes late
      // 03:00 is dropped: EventBridge never delivers it.
      await h.deliver(4);
      expect(await h.deliver(4)).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      await h.ledger.pause(h.job.name, 'hourly', at(4, 30));
      // 05:00 and 06:00 fall in the pause: nothing is delivered, nothing is owed.
      await h.ledger.resume(h.job.name, 'hourly', at(6, 30));
      await h.deliver(7);

      const report = await h.watch(at(7, 30));
      expect(report).toMatchObject({
        from: at(0, 20),
        until: at(7, 20),
        expected: 5,
        missed: ['hourly@2027-01-04T03:00:00Z'],
        late: ['hourly@2027-01-04T02:00:00Z'],
        duplicates: 1,
        duplicated: ['hourly@2027-01-04T04:00:00Z'],
        paused: 2,
        enqueued: [],
      });
      expect(h.published.at(-1)).toEqual({
        MissedOccurrences: 1,
        LateOccurrences: 1,
        DuplicateOccurrences: 1,
        DstSkippedOccurrences: 0,
        PausedOccurrences: 2,
        CaughtUpOccurrences: 0,
      });

      // The next check starts where this one stopped: nothing is counted twice.
      expect(await h.watch(at(7, 35))).toMatchObject({
        from: at(7, 20),
        until: at(7, 25),
        expected: 0,
        missed: [],
        duplicates: 0,
      });
      expect(h.published.at(-1)!.MissedOccurrences).toBe(0);
      const state = await h.ledger.state(h.job.name, 'hourly');
      expect(state.recent.missed).toEqual(['hourly@2027-01-04T03:00:00Z']);
      expect(state.pauses).toEqual([{ from: at(4, 30), to: at(6, 30) }]);
    },
  );

  it('a pause alone raises no alarm: every occurrence in it is counted paused, none missed', async () => {
    const f = await createRuntimeFixture();
    const h = harness(f, { window: '6h', mode: 'latest' });
    await h.watch(at(0, 30));
    await h.deliver(1);
    await h.ledger.pause(h.job.name, 'hourly', at(1, 30));
    const whilePaused = await h.watch(at(6, 30));
    expect(whilePaused).toMatchObject({ expected: 1, missed: [], paused: 5, enqueued: [] }); // no catch-up while paused
    expect(h.published.at(-1)!.MissedOccurrences).toBe(0);
  });

  it('follows a `jobs schedule` change, and notices when a deploy puts the declared schedule back', async () => {
    const f = await createRuntimeFixture();
    const h = harness(f, { window: '6h', mode: 'none' });
    await h.watch(at(0, 10));
    await h.ledger.recordChange(h.job.name, 'hourly', {
      expression: 'cron(30 * * * ? *)',
      timeZone: 'UTC',
      replaces: { expression: 'cron(0 * * * ? *)', timeZone: 'UTC' },
      since: at(0, 15),
    });
    const halfPast = async (hour: number) => {
      f.clock.set(iso(at(hour, 30) + 2_000));
      const record = sqsRecordFactory(
        { job: h.job.name, schedule: 'hourly', occurrence: iso(at(hour, 30)), timeZone: 'UTC', payload: {} },
        { sentAt: at(hour, 30) },
      );
      await processBatch(
        f.deps(h.job, async () => undefined),
        [record],
      );
    };
    await halfPast(0);
    await halfPast(1);
    await halfPast(2);
    // 00:30, 01:30, 02:30; not 01:00 and 02:00
    expect(await h.watch(at(3, 0))).toMatchObject({ expected: 3, missed: [] });
    // A deploy without the context lines: EventBridge fires on the hour again.
    await h.deliver(3);
    await h.deliver(4);
    expect(await h.watch(at(4, 30))).toMatchObject({ expected: 2, missed: [] }); // 03:00 and 04:00
    expect((await h.ledger.state(h.job.name, 'hourly')).live).toBeUndefined();
  });

  it(
    'catch-up latest: after an outage, only the most recent missed occurrence is enqueued, under ' +
      'its own time, once, even when the watchdog runs twice',
    async () => {
      const f = await createRuntimeFixture(['hourly-sync']);
      const h = harness(f, { window: '6h', mode: 'latest' });
      await h.watch(at(0, 30));
      // 01:00 to 04:00 are all lost (the region was down).
      const first = await h.watch(at(4, 30));
      expect(first).toMatchObject({
        missed: ['01', '02', '03', '04'].map((hh) => `hourly@2027-01-04T${hh}:00:00Z`),
        enqueued: ['hourly@2027-01-04T04:00:00Z'],
      });
      expect(first.superseded).toEqual(['01', '02', '03'].map((hh) => `hourly@2027-01-04T${hh}:00:00Z`));
      const again = await h.watch(at(4, 30));
      const later = await h.watch(at(4, 40));
      expect([again.enqueued, later.enqueued]).toEqual([[], []]);

      const messages = await f.drain(f.targetUrls.get('hourly-sync')!);
      expect(messages.map((m) => JSON.parse(m.Body!))).toEqual([
        expect.objectContaining({
          id: 'hourly@2027-01-04T04:00:00Z',
          job: 'hourly-sync',
          schedule: 'hourly',
          occurrence: '2027-01-04T04:00:00Z',
          timeZone: 'UTC',
          payload: {},
          waitTurn: true,
        }),
      ]);
      // Passed over, not recorded: the next checks do not catch them up, but a late message of theirs would still run.
      expect(await f.run(runKey({ job: 'hourly-sync', id: 'hourly@2027-01-04T02:00:00Z' }))).toBeUndefined();
      expect((await h.ledger.state(h.job.name, 'hourly')).superseded).toEqual(first.superseded);
      expect((await h.watch(at(4, 50))).enqueued).toEqual([]);
      expect(await f.run(runKey({ job: 'hourly-sync', id: 'hourly@2027-01-04T04:00:00Z' }))).toMatchObject({
        status: 'PENDING',
      });

      // The caught-up message runs once, as the occurrence it names.
      const deps = f.deps(h.job, async () => undefined);
      const record = sqsRecordFactory(messages[0]!.Body!, { sentAt: at(4, 31) });
      expect((await processBatch(deps, [record])).outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
      expect((await processBatch(deps, [record])).outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(await f.run(runKey({ job: 'hourly-sync', id: 'hourly@2027-01-04T04:00:00Z' }))).toMatchObject({
        status: 'SUCCEEDED',
        attempt: 1,
        occurrence: '2027-01-04T04:00:00Z',
      });
    },
  );

  it(
    'a catch-up send that fails is reported and its check stored; the next check inside the window ' + 'sends it',
    async () => {
      const f = await createRuntimeFixture(['hourly-sync']);
      const h = harness(f, { window: '6h', mode: 'latest' });
      await h.watch(at(0, 30));
      const queueUrl = f.targetUrls.get('hourly-sync')!;
      await sqs().send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      await expect(h.watch(at(4, 30))).rejects.toThrow(
        new RegExp(
          '^The watchdog could not check 1 schedule\\(s\\): hourly-sync/hourly: hourly-sync: ' +
            'sending hourly@2027-01-04T04:00:00Z failed: .+ ' +
            '\\(its PENDING run was taken back, so it can be enqueued again\\)$',
        ),
      );
      // Stored and published all the same: the outage's four missed occurrences are counted once.
      expect(h.published.map((figures) => figures.MissedOccurrences)).toEqual([0, 4]);
      expect((await h.ledger.state(h.job.name, 'hourly')).checkedUntil).toBe(at(4, 20));
      expect(await f.run(runKey({ job: 'hourly-sync', id: 'hourly@2027-01-04T04:00:00Z' }))).toBeUndefined();

      expect((await sqs().send(new CreateQueueCommand({ QueueName: queueUrl.split('/').pop()! }))).QueueUrl).toBe(
        queueUrl,
      );
      expect(await h.watch(at(4, 40))).toMatchObject({ missed: [], enqueued: ['hourly@2027-01-04T04:00:00Z'] });
      expect((await f.drain(queueUrl)).map((m) => (JSON.parse(m.Body!) as { id: string }).id)).toEqual([
        'hourly@2027-01-04T04:00:00Z',
      ]);
    },
  );

  it(
    'catch-up all: each missed occurrence inside the window is enqueued once; one outside the ' + 'window is not',
    async () => {
      const f = await createRuntimeFixture(['hourly-sync']);
      const h = harness(f, { window: '3h', mode: 'all' });
      await h.watch(at(0, 30));
      const first = await h.watch(at(4, 30));
      await h.watch(at(4, 30));
      expect(first.enqueued).toEqual(['02', '03', '04'].map((hh) => `hourly@2027-01-04T${hh}:00:00Z`));
      const messages = await f.drain(f.targetUrls.get('hourly-sync')!);
      expect(messages.map((m) => (JSON.parse(m.Body!) as { id: string }).id).sort()).toEqual(first.enqueued);
      expect(await f.run(runKey({ job: 'hourly-sync', id: 'hourly@2027-01-04T01:00:00Z' }))).toBeUndefined();
    },
  );
});

describe('Schedule watchdog and DST (Europe/Berlin, spring forward on 2027-03-28)', () => {
  const berlinJob = (dstGap: 'skip' | 'shift') =>
    defineJob({
      name: 'berlin-night',
      description: 'a job at 02:30 in Berlin',
      payload: z.strictObject({}),
      schedules: [
        {
          name: 'nightly',
          expression: 'cron(30 2 * * ? *)',
          timeZone: 'Europe/Berlin',
          payload: {},
          dstGap,
          catchUp: { window: '1h', mode: 'none' },
        },
      ],
    });
  const watch = (f: RuntimeFixture, job: ReturnType<typeof berlinJob>, now: string) =>
    runWatchdog(
      watchedSchedules([job]),
      {
        ledger: new DynamoDbOccurrenceLedger(dynamo(), f.ledgerName),
        send: (target, jobs) => f.queue.send(target, jobs),
      },
      {
        now: Date.parse(now),
        missedAfterMs: 10 * 60_000,
        logger: quiet,
        metrics: () => undefined,
      },
    );

  it(
    'default (skip, as EventBridge): the nonexistent 02:30 is reported DST-skipped, not missed, and ' +
      'nothing is enqueued',
    async () => {
      const f = await createRuntimeFixture(['berlin-night']);
      const job = berlinJob('skip');
      await watch(f, job, '2027-03-27T23:00:00Z');
      const [report] = await watch(f, job, '2027-03-28T03:00:00Z');
      expect(report).toMatchObject({
        expected: 0,
        missed: [],
        dstSkipped: ['nightly@2027-03-28T01:00:00Z'],
        enqueued: [],
      });
      expect(await f.drain(f.targetUrls.get('berlin-night')!)).toEqual([]);
    },
  );

  it(
    "dstGap 'shift': the watchdog enqueues it once at the end of the gap (03:00 CEST = 01:00Z), " +
      'however often it runs',
    async () => {
      const f = await createRuntimeFixture(['berlin-night']);
      const job = berlinJob('shift');
      await watch(f, job, '2027-03-27T23:00:00Z');
      const [first] = await watch(f, job, '2027-03-28T01:05:00Z');
      const [second] = await watch(f, job, '2027-03-28T01:10:00Z');
      expect([first!.enqueued, second!.enqueued]).toEqual([['nightly@2027-03-28T01:00:00Z'], []]);
      const messages = await f.drain(f.targetUrls.get('berlin-night')!);
      expect(messages.map((m) => JSON.parse(m.Body!))).toEqual([
        expect.objectContaining({
          id: 'nightly@2027-03-28T01:00:00Z',
          occurrence: '2027-03-28T01:00:00Z',
          timeZone: 'Europe/Berlin',
        }),
      ]);
      const [after] = await watch(f, job, '2027-03-28T03:00:00Z');
      expect(after).toMatchObject({ missed: [], dstSkipped: [], enqueued: [] });
    },
  );
});
