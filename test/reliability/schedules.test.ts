import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { fromItem, jobRunItems } from '@serverless-jobs/runtime/adapters';
import { nextOccurrences } from '@serverless-jobs/runtime/cron';
import { cleanupJob } from '#shared/jobs/cleanup';
import type { Clock } from '@serverless-jobs/runtime/runtime';
import type { JobHandler } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { readCloudAssembly } from '@serverless-jobs/local/runner';
import { buildLocalModel, type LocalSchedule } from '@serverless-jobs/local/runner';
import { occurrenceInput, scheduleIdentity, ScheduleRunner } from '@serverless-jobs/local/runner';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import { toSqsEvent } from '@serverless-jobs/local/runner';
import { VirtualClock } from '@serverless-jobs/local/runner';
import { synthesizedApp } from '#test/e2e/local-stack-fixture';
import { dynamo, sqs } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * Matrix case 7: schedules. The occurrence messages are the ones the synthesized stack's cleanup schedule
 * produces (its input template, from the run's one synth), consumed by the job runtime on DynamoDB Local
 * and fauxqs; a counting handler stands in for cleanup's logic, so every run is counted.
 */

const DAY = 86_400_000;

/** cleanup's daily schedule, exactly as the synthesized template declares it. */
function cleanupSchedule(): LocalSchedule {
  const model = buildLocalModel(readCloudAssembly(synthesizedApp()), { sqs: 'http://127.0.0.1:1' });
  const schedule = model.schedules.find((s) => scheduleIdentity(s)?.job === 'cleanup');
  if (!schedule) throw new Error('the synthesized stack has no cleanup schedule');
  return schedule;
}

/** Runs of one job ID each: the handler counts how often it really ran. */
function countingHandler(): { handler: JobHandler<unknown, unknown>; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  return { runs, handler: async (_payload, ctx) => void runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1) };
}

async function ledgerRuns(f: RuntimeFixture): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const item of jobRunItems(dynamo(), f.ledgerName, 'cleanup')) items.push(fromItem(item));
  return items;
}

/**
 * A Lambda-like consumer of the fixture's queue: receive, processBatch, delete what was acknowledged.
 * Runs until `done()` holds and the queue has stayed empty for two polls.
 */
async function consume(
  f: RuntimeFixture,
  handler: JobHandler<unknown, unknown>,
  clock: Clock,
  done: () => boolean,
): Promise<number> {
  const client = sqs();
  const deps = f.deps(cleanupJob, handler, { clock });
  let received = 0;
  let empty = 0;
  while (!done() || empty < 2) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: f.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      empty = done() ? empty + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    empty = 0;
    received += Messages.length;
    const { outcomes } = await processBatch(
      deps,
      toSqsEvent(Messages, 'arn:aws:sqs:us-east-1:000000000000:jobs').Records,
    );
    const acked = Messages.filter((_, i) => outcomes[i]?.kind === 'ack');
    expect(
      outcomes.filter((o) => o.kind !== 'ack'),
      'no schedule delivery is retried',
    ).toEqual([]);
    if (acked.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: f.queueUrl,
          Entries: acked.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return received;
}

/**
 * Runs the schedule runners on `clock` until virtual time `until`, with one consumer; returns the deliveries received.
 */
async function runSchedules(
  f: RuntimeFixture,
  clock: VirtualClock,
  until: number,
  runners: ScheduleRunner[],
  handler: JobHandler<unknown, unknown>,
): Promise<number> {
  for (const runner of runners) runner.start();
  // The runners stop the moment the window ends (at this clock speed, draining would let the next occurrence fire).
  const stopAt = setTimeout(() => runners.forEach((runner) => runner.stop()), clock.realDelayUntil(until));
  try {
    return await consume(f, handler, clock, () => clock.now() > until);
  } finally {
    clearTimeout(stopAt);
    for (const runner of runners) runner.stop();
  }
}

describe('Reliability 7: schedules', () => {
  it('the same occurrence delivered twice, then late (3 h and 2 days after its time), gives one run', async () => {
    const f = await createRuntimeFixture();
    const schedule = cleanupSchedule();
    const { handler, runs } = countingHandler();
    const deps = f.deps(cleanupJob, handler);
    const at = Date.parse('2026-11-24T02:00:00Z');
    const body = occurrenceInput(schedule, at);
    f.clock.set('2026-11-24T02:00:01Z');
    const first = await processBatch(deps, [sqsRecordFactory(body)]);
    const again = await processBatch(deps, [sqsRecordFactory(body)]);
    f.clock.advance(3 * 3_600_000);
    const late = await processBatch(deps, [sqsRecordFactory(body)]);
    f.clock.advance(2 * DAY);
    const veryLate = await processBatch(deps, [sqsRecordFactory(body)]);

    expect(first.outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
    for (const summary of [again, late, veryLate])
      expect(summary.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
    expect([...runs]).toEqual([['daily@2026-11-24T02:00:00Z', 1]]);
    const run = await f.run(runKey({ job: 'cleanup', id: 'daily@2026-11-24T02:00:00Z' }));
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      schedule: 'daily',
      occurrence: '2026-11-24T02:00:00Z',
    });
    expect(await ledgerRuns(f)).toHaveLength(1);
    expect(f.metrics.total('JobDuplicate')).toBe(3);
  });

  it(
    'a late first delivery (after its time, even after the next occurrence) still runs once, keyed ' +
      'by its own occurrence',
    async () => {
      const f = await createRuntimeFixture();
      const schedule = cleanupSchedule();
      const { handler, runs } = countingHandler();
      const deps = f.deps(cleanupJob, handler);
      f.clock.set('2026-11-25T03:00:00Z'); // the 24th's occurrence arrives after the 25th's
      const [day24, day25] = [Date.parse('2026-11-24T02:00:00Z'), Date.parse('2026-11-25T02:00:00Z')];
      await processBatch(deps, [
        sqsRecordFactory(occurrenceInput(schedule, day25)),
        sqsRecordFactory(occurrenceInput(schedule, day24)),
      ]);
      await processBatch(deps, [sqsRecordFactory(occurrenceInput(schedule, day24))]);
      expect(Object.fromEntries(runs)).toEqual({ 'daily@2026-11-24T02:00:00Z': 1, 'daily@2026-11-25T02:00:00Z': 1 });
      expect(f.metrics.values.get('ScheduleLateness')).toEqual(expect.arrayContaining([25 * 3_600_000]));
    },
  );

  it('two local runners against one stack give exactly one SUCCEEDED run per occurrence over a ' +
    'simulated week (7 for a daily schedule)', async () => {
    const f = await createRuntimeFixture();
    const schedule = cleanupSchedule();
    expect(schedule.expression).toBe('cron(0 2 * * ? *)');
    const start = Date.parse('2026-11-23T12:00:00Z');
    const end = start + 7 * DAY;
    // A virtual day per real second: the week takes about 7 s.
    const clock = new VirtualClock(start, 86_400);
    const fired: string[][] = [[], []];
    const runners = [0, 1].map(
      (n) =>
        new ScheduleRunner({
          client: sqs(),
          clock,
          schedules: [schedule],
          queueUrlOf: () => f.queueUrl,
          report: (_s, occurrence) => void fired[n]!.push(occurrence),
        }),
    );
    const { handler, runs } = countingHandler();
    const received = await runSchedules(f, clock, end, runners, handler);

    const expected = nextOccurrences(schedule.expression, schedule.timeZone, new Date(start), 8)
      .filter((d) => d.getTime() <= end)
      .map((d) => occurrenceTime(d.getTime()));
    expect(expected).toHaveLength(7);
    // Both runners fired every occurrence: 14 deliveries for 7 occurrences.
    for (const list of fired) expect(list, JSON.stringify(fired)).toEqual(expected);
    expect(received).toBe(14);
    expect(Object.fromEntries(runs)).toEqual(Object.fromEntries(expected.map((time) => [`daily@${time}`, 1])));
    const ledger = await ledgerRuns(f);
    expect(ledger.map((run) => run.id).sort()).toEqual(expected.map((time) => `daily@${time}`));
    expect(ledger.every((run) => run.status === 'SUCCEEDED' && run.attempt === 1)).toBe(true);
    expect(f.metrics.total('JobDuplicate')).toBe(7);
  }, 60_000);

  it('a send slower than the gap to the next occurrence skips no occurrence (it fires late, once)', async () => {
    const schedule = cleanupSchedule();
    const start = Date.parse('2026-11-23T12:00:00Z');
    const clock = new VirtualClock(start, 86_400 * 4); // a virtual day per 250 ms
    const sent: string[] = [];
    // Each send takes 400 ms, longer than the 250 ms to the next occurrence.
    const slowClient = {
      send: async (command: { input: { MessageBody?: string } }) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        sent.push(JSON.parse(command.input.MessageBody ?? '{}').occurrence as string);
        return {};
      },
    };
    const runner = new ScheduleRunner({
      client: slowClient as unknown as SQSClient,
      clock,
      schedules: [schedule],
      queueUrlOf: () => 'memory://q',
      report: () => {},
    });
    runner.start();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    runner.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent.length).toBeGreaterThanOrEqual(4);
    const expected = nextOccurrences(schedule.expression, 'UTC', new Date(start), sent.length).map((d) =>
      occurrenceTime(d.getTime()),
    );
    expect(sent).toEqual(expected);
  }, 10_000);

  describe('DST: a job at 02:30 in Europe/Berlin', () => {
    const expression = 'cron(30 2 * * ? *)';
    const zone = 'Europe/Berlin';

    /** Runs the schedule across one local day on a fast clock; returns the runs the ledger holds. */
    async function runDay(
      localDay: string,
    ): Promise<{ expected: string[]; runs: Map<string, number>; ledger: Record<string, unknown>[] }> {
      const f = await createRuntimeFixture();
      // 22:00 UTC the evening before is 23:00 (CET) in Berlin on both dates; run for 24 virtual hours.
      const start = Date.parse(`${localDay}T00:00:00Z`) - 2 * 3_600_000;
      const end = start + 24 * 3_600_000;
      const clock = new VirtualClock(start, 14_400); // 24 virtual hours in 6 s
      const runner = new ScheduleRunner({
        client: sqs(),
        clock,
        schedules: [cleanupSchedule()],
        queueUrlOf: () => f.queueUrl,
        report: () => {},
      });
      runner.update(runner.states[0]!, expression, zone); // also arms it
      const { handler, runs } = countingHandler();
      await runSchedules(f, clock, end, [runner], handler);
      const expected = nextOccurrences(expression, zone, new Date(start), 3)
        .filter((d) => d.getTime() <= end)
        .map((d) => occurrenceTime(d.getTime()));
      return { expected, runs, ledger: await ledgerRuns(f) };
    }

    // EventBridge Scheduler's documented behaviour, which the local runner emulates and RELIABILITY.md promises:
    // a local time that does not exist is skipped; one that happens twice runs once (here: at the first).
    const days = [
      {
        day: '2027-03-28',
        runs: [],
        title: 'spring forward (2027-03-28, 02:30 does not exist): does not run that day, as on EventBridge',
      },
      {
        day: '2027-10-31',
        runs: ['2027-10-31T00:30:00Z'],
        title: 'fall back (2027-10-31, 02:30 happens twice): runs once, at the first 02:30 (CEST) = 00:30 UTC',
      },
    ];
    for (const { day, runs: at, title } of days) {
      it(title, async () => {
        const { expected, runs, ledger } = await runDay(day);
        expect(expected).toEqual(at);
        expect(Object.fromEntries(runs)).toEqual(Object.fromEntries(at.map((time) => [`daily@${time}`, 1])));
        expect(ledger.map((run) => [run.occurrence, run.status])).toEqual(at.map((time) => [time, 'SUCCEEDED']));
      }, 30_000);
    }
  });
});
