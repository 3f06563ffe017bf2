import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { runKey } from '@serverless-jobs/runtime/adapters';
import { dailyReportJob } from '#shared/jobs/daily-report';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { OpsInputError } from '@serverless-jobs/cli/ops';
import { messageCount, opsFixture, putRun, receiveAll } from '#test/helpers/ops-fixture';
import { dynamo } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';

/** Backfill: `jobs backfill` through the ops core, on DynamoDB Local and fauxqs, with a fake clock. */
describe('Backfill (jobs backfill <job> --from … --to …)', () => {
  const range = { from: new Date('2027-02-01T00:00:00Z'), to: new Date('2027-02-04T23:59:00Z') };
  const ids = ['01', '02', '03', '04'].map((d) => `daily@2027-02-${d}T06:00:00Z`);

  it(
    'lists the occurrences in a dry run and sends nothing; then enqueues each one that has no run, ' +
      'once; running it again adds nothing',
    async () => {
      const f = await opsFixture([dailyReportJob]);
      f.clock.set('2027-02-05T12:00:00Z');
      await putRun(f.ledger, {
        job: 'daily-report',
        id: ids[1]!,
        status: RunStatus.SUCCEEDED,
        createdAt: '2027-02-02T06:00:02.000Z',
      });

      const dry = await f.ops.backfill('daily-report', { ...range, dryRun: true });
      expect(dry.occurrences.map((o) => [o.id, o.result, o.status])).toEqual([
        [ids[0], 'would enqueue', undefined],
        [ids[1], 'exists', 'SUCCEEDED'],
        [ids[2], 'would enqueue', undefined],
        [ids[3], 'would enqueue', undefined],
      ]);
      expect(await messageCount(f.sqs, f.queueUrl('daily-report'))).toBe(0);

      const first = await f.ops.backfill('daily-report', range);
      expect(first.occurrences.map((o) => o.result)).toEqual(['enqueued', 'exists', 'enqueued', 'enqueued']);
      const second = await f.ops.backfill('daily-report', range);
      expect(second.occurrences.map((o) => [o.result, o.status])).toEqual([
        ['exists', 'PENDING'],
        ['exists', 'SUCCEEDED'],
        ['exists', 'PENDING'],
        ['exists', 'PENDING'],
      ]);

      const bodies = (await receiveAll(f.sqs, f.queueUrl('daily-report'))).map(
        (m) => JSON.parse(m.Body!) as Record<string, unknown>,
      );
      expect(bodies.map((b) => b.id).sort()).toEqual([ids[0], ids[2], ids[3]]);
      expect(bodies.find((b) => b.id === ids[0])).toMatchObject({
        job: 'daily-report',
        schedule: 'daily',
        occurrence: '2027-02-01T06:00:00Z',
        timeZone: 'UTC',
        payload: {},
      });
    },
  );

  it(
    'takes back its PENDING run when the send fails, so a second backfill enqueues the occurrence ' + 'after all',
    async () => {
      const f = await opsFixture([dailyReportJob]);
      f.clock.set('2027-02-05T12:00:00Z');
      const queueUrl = f.queueUrl('daily-report');
      const queueName = queueUrl.split('/').pop()!;
      await f.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));

      await expect(f.ops.backfill('daily-report', range)).rejects.toThrow(/queue/i);
      const run = (id: string) =>
        dynamo().send(
          new GetItemCommand({
            TableName: f.ledger,
            Key: runKey({ job: 'daily-report', id }),
            ConsistentRead: true,
          }),
        );
      expect((await Promise.all(ids.map(run))).map((r) => r.Item)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);

      expect((await f.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl).toBe(queueUrl);
      const again = await f.ops.backfill('daily-report', range);
      expect(again.occurrences.map((o) => o.result)).toEqual(['enqueued', 'enqueued', 'enqueued', 'enqueued']);
      expect((await receiveAll(f.sqs, queueUrl)).map((m) => (JSON.parse(m.Body!) as { id: string }).id).sort()).toEqual(
        ids,
      );
    },
  );

  it(
    "on a schedules' clock that runs ahead (npm start --start-at), stamps its PENDING runs with the " +
      "ledger's clock, as the functions stamp theirs",
    async () => {
      const schedulesClock = new FakeClock();
      schedulesClock.set('2027-03-26T00:00:00Z');
      const f = await opsFixture([dailyReportJob], { scheduleClock: schedulesClock });
      f.clock.set('2026-12-02T07:00:00Z');
      expect((await f.ops.backfill('daily-report', range)).occurrences.map((o) => o.result)).toEqual([
        'enqueued',
        'enqueued',
        'enqueued',
        'enqueued',
      ]);
      const runs = await f.ops.runs('daily-report', { limit: 10 });
      expect(runs.map((r) => [r.id, r.status, r.createdAt])).toContainEqual([
        ids[0],
        'PENDING',
        '2026-12-02T07:00:00.000Z',
      ]);
      expect(new Set(runs.map((r) => r.createdAt))).toEqual(new Set(['2026-12-02T07:00:00.000Z']));
    },
  );

  it('refuses a range that is empty or reaches into the future, naming the values', async () => {
    const f = await opsFixture([dailyReportJob]);
    f.clock.set('2027-02-05T12:00:00Z');
    await expect(f.ops.backfill('daily-report', { from: range.to, to: range.from })).rejects.toThrow(
      new OpsInputError('--from must be before --to (given 2027-02-04T23:59:00.000Z and 2027-02-01T00:00:00.000Z)'),
    );
    await expect(
      f.ops.backfill('daily-report', { from: range.from, to: new Date('2027-02-06T00:00:00Z') }),
    ).rejects.toThrow(/--to must not be in the future.*2027-02-06T00:00:00.000Z/);
    await expect(f.ops.backfill('daily-report', { ...range, schedule: 'hourly' })).rejects.toThrow(
      'Job "daily-report" has no schedule "hourly"; its schedules are: daily',
    );
  });
});
