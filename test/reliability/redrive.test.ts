import * as z from '@serverless-jobs/runtime/zod';
import { describe, expect, it } from 'vitest';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { allJobs } from '#shared/jobs/registry';
import type { JobHandler } from '@serverless-jobs/runtime/runtime';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { DAY_MS } from '@serverless-jobs/runtime/runtime';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { readCloudAssembly } from '@serverless-jobs/local/runner';
import { toSqsEvent } from '@serverless-jobs/local/runner';
import { redriveByCopy } from '@serverless-jobs/cli/ops';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { synthesizedApp } from '#test/e2e/local-stack-fixture';
import { sqs } from '#test/helpers/aws';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * Matrix case 8: redrive. A message dead-lettered by a bug is redriven after the fix, days later, and runs
 * once; a second copy of it (a redrive repeated, or a duplicate delivery) does not run it again. That holds
 * because the run record outlives queue + DLQ retention + the redrive window, which the last test checks
 * against the declarations and the synthesized template.
 */

const invoiceJob = defineJob({
  name: 'send-invoice',
  description: 'Fixture: fails permanently until the bug is fixed.',
  payload: z.strictObject({ invoiceId: z.string() }),
  retry: { attempts: 3, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
});

describe('Reliability 8: redrive', () => {
  it(
    'a job redriven from the DLQ after a fix, 20 days after its first attempt, runs once; a second ' +
      'redrive of the same copy does not run it again',
    async () => {
      const f = await createRuntimeFixture();
      let fixed = false;
      const effects: string[] = [];
      const handler: JobHandler<unknown, unknown> = async (payload, ctx) => {
        if (!fixed) throw new PermanentJobError('bug #42: the invoice template is missing');
        effects.push(`${ctx.jobId}#${(payload as { invoiceId: string }).invoiceId}`);
      };
      const deps = f.deps(invoiceJob, handler);
      const firstAttempt = f.clock.now();

      const first = await processBatch(deps, [sqsRecordFactory({ id: 'invoice-7', payload: { invoiceId: 'inv-7' } })]);
      expect(first.outcomes).toEqual([{ kind: 'ack', result: 'DEAD' }]);
      const dead = await f.run(runKey({ job: 'send-invoice', id: 'invoice-7' }));
      expect(dead).toMatchObject({ status: 'DEAD', attempt: 1 });
      // The record is kept for the ledger retention, counted from its claim.
      expect(dead?.expiresAt).toBe(Math.floor((firstAttempt + invoiceJob.ledgerRetentionDays * DAY_MS) / 1000));

      // The fix ships 20 days later: past the queue's retention, within the DLQ's plus the redrive window.
      f.clock.advance(20 * DAY_MS);
      fixed = true;
      const redrive = () =>
        redriveByCopy(sqs(), {
          dlqUrl: f.dlqUrl,
          queueUrl: f.queueUrl,
          now: () => f.clock.now(),
          sleep: async () => {},
        });
      const { moved } = await redrive();
      expect(moved.map((m) => [m.jobId, m.reason])).toEqual([
        ['invoice-7', 'permanent failure: PermanentJobError: bug #42: the invoice template is missing'],
      ]);
      const copies = await f.drain(f.queueUrl);
      expect(copies).toHaveLength(1);
      // The redriven copy is delivered twice (SQS at-least-once), and the same dead letter is redriven twice.
      const records = toSqsEvent([copies[0]!, copies[0]!], 'arn:aws:sqs:us-east-1:000000000000:jobs').Records.map(
        (r, i) => ({ ...r, messageId: `${r.messageId}-${i}` }),
      );
      const deliveries = [await processBatch(deps, [records[0]!]), await processBatch(deps, [records[1]!])];
      f.clock.advance(DAY_MS);
      const again = await processBatch(deps, [{ ...records[0]!, messageId: 'second-redrive' }]);

      expect(deliveries.map((d) => d.outcomes[0])).toEqual([
        { kind: 'ack', result: 'SUCCEEDED' },
        { kind: 'ack', result: 'DUPLICATE' },
      ]);
      expect(again.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
      expect(effects).toEqual(['invoice-7#inv-7']);
      const run = await f.run(runKey({ job: 'send-invoice', id: 'invoice-7' }));
      expect(run).toMatchObject({ status: 'SUCCEEDED', redrives: 1, attempt: 1 });
      // the history of the failure is kept
      expect((run?.errors as unknown[] | undefined)?.length ?? 0).toBeGreaterThanOrEqual(1);
      // Still kept long after the redrive: the claim renewed the expiry from the redrive's time.
      expect(run?.expiresAt).toBe(
        Math.floor((firstAttempt + 20 * DAY_MS + invoiceJob.ledgerRetentionDays * DAY_MS) / 1000),
      );
      expect(await f.drain(f.dlqUrl)).toEqual([]);
    },
  );

  it(
    'a redriven message whose body is still invalid (a broken producer) is refused again, with its ' +
      'reason, and never runs',
    async () => {
      const f = await createRuntimeFixture();
      const effects: string[] = [];
      const deps = f.deps(invoiceJob, async (_payload, ctx) => void effects.push(ctx.jobId));
      await processBatch(deps, [sqsRecordFactory({ id: 'invoice-8', payload: { invoiceId: 8 } })]);
      f.clock.advance(10 * DAY_MS);
      await redriveByCopy(sqs(), {
        dlqUrl: f.dlqUrl,
        queueUrl: f.queueUrl,
        now: () => f.clock.now(),
        sleep: async () => {},
      });
      const [copy] = await f.drain(f.queueUrl);
      // The body is still the bad one: it is refused again, to the DLQ, with its reason; nothing ran.
      const result = await processBatch(deps, toSqsEvent([copy!], 'arn:aws:sqs:us-east-1:000000000000:jobs').Records);
      expect(result.outcomes).toEqual([{ kind: 'ack', result: 'DEAD' }]);
      expect(effects).toEqual([]);
      const [letter] = await f.drain(f.dlqUrl);
      expect(letter?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
        'invalid payload: field "invoiceId": Invalid input: expected string, received number (given 8)',
      );
    },
  );

  it(
    'the configured numbers: ledger retention > queue + DLQ retention + redrive window for every ' +
      'job, and the synthesized template agrees',
    () => {
      const template = readCloudAssembly(synthesizedApp()).template;
      const resourceOf = (outputKey: string): { Type: string; Properties?: Record<string, unknown> } => {
        const value = template.Outputs?.[outputKey]?.Value as { Ref?: string } | undefined;
        const resource = value?.Ref ? template.Resources[value.Ref] : undefined;
        if (!resource) throw new Error(`output ${outputKey} names no resource`);
        return resource;
      };
      const numbers = allJobs.map((job) => ({
        job: job.name,
        ledger: job.ledgerRetentionDays,
        queue: job.queueRetentionDays,
        dlq: job.dlqRetentionDays,
        redrive: job.redriveWindowDays,
      }));
      // What the README promises: 45 > 4 + 14 + 7 for every reference job.
      expect(numbers).toEqual(allJobs.map((job) => ({ job: job.name, ledger: 45, queue: 4, dlq: 14, redrive: 7 })));
      for (const job of allJobs) {
        expect(job.ledgerRetentionDays, job.name).toBeGreaterThan(
          job.queueRetentionDays + job.dlqRetentionDays + job.redriveWindowDays,
        );
        const queue = resourceOf(jobOutputKey.queueUrl(job.name));
        const dlq = resourceOf(jobOutputKey.dlqUrl(job.name));
        expect(queue.Properties?.MessageRetentionPeriod, `${job.name} queue`).toBe(job.queueRetentionDays * 86_400);
        expect(dlq.Properties?.MessageRetentionPeriod, `${job.name} DLQ`).toBe(job.dlqRetentionDays * 86_400);
        expect(job.dlqRetentionDays, `${job.name}: the DLQ outlives its queue`).toBeGreaterThan(job.queueRetentionDays);
      }
      // The ledger expires records through TTL on `expiresAt`, which the runtime sets to claim + ledgerRetentionDays
      // (asserted in the first test); nothing else deletes a run record.
      const ledger = resourceOf(tableOutputKey(ledgerTable.id));
      expect(ledger.Properties?.TimeToLiveSpecification).toEqual({
        AttributeName: ledgerTable.ttlAttribute,
        Enabled: true,
      });
    },
  );
});
