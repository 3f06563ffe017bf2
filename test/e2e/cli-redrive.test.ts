import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCommand } from '@serverless-jobs/cli/commands';
import { JobsOps } from '@serverless-jobs/cli/ops';
import { jobOutputKey } from '@serverless-jobs/runtime/contracts';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError, processBatch, type RuntimeDeps } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { toSqsEvent } from '@serverless-jobs/local/runner';
import { dynamo, sqs } from '#test/helpers/aws';
import { messageCount, RecordingScheduleControl } from '#test/helpers/ops-fixture';
import { createRuntimeFixture, type RuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * `jobs redrive` on fauxqs, with the real runtime as the job's worker. The worker runs each copy the moment
 * SQS accepts it, as a Lambda may, so a copy that fails again is back in the DLQ before the redrive is done.
 */

const invoiceJob = defineJob({
  name: 'send-invoice',
  description: 'Fixture: fails for good, before the redrive and after it.',
  payload: z.strictObject({ invoiceId: z.string() }),
  retry: { attempts: 3, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
});

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:send-invoice';

interface FailingWorker {
  readonly f: RuntimeFixture;
  /** Runs new invoices, which fail and go to the DLQ. */
  readonly fail: (ids: readonly string[]) => Promise<void>;
  /** Runs what the redrive put in the queue. */
  readonly runQueue: () => Promise<void>;
}

async function failingWorker(): Promise<FailingWorker> {
  const f = await createRuntimeFixture();
  const deps: RuntimeDeps = f.deps(invoiceJob, async () => {
    throw new PermanentJobError('the invoice template is missing');
  });
  return {
    f,
    fail: async (ids) => {
      await processBatch(
        deps,
        ids.map((id) => sqsRecordFactory({ id, payload: { invoiceId: id } })),
      );
    },
    runQueue: async () => {
      await processBatch(deps, toSqsEvent(await f.drain(f.queueUrl), QUEUE_ARN).Records);
    },
  };
}

/** An SQS client that calls `worker` after each batch the redrive sends to the job's queue. */
function clientWithWorker(worker: () => Promise<void>): SQSClient {
  const client = sqs();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'SendMessageBatchCommand') await worker();
      return result;
    },
    { step: 'initialize', name: 'workerAfterRedriveSend' },
  );
  return client;
}

/** `jobs redrive send-invoice [--filter F]` on that client: its exit code and its text. */
async function redrive(f: RuntimeFixture, client: SQSClient, filter?: string): Promise<{ code: number; text: string }> {
  const ops = new JobsOps({
    sqs: client,
    dynamodb: dynamo(),
    outputs: {
      [jobOutputKey.queueUrl(invoiceJob.name)]: f.queueUrl,
      [jobOutputKey.dlqUrl(invoiceJob.name)]: f.dlqUrl,
    },
    jobs: [invoiceJob],
    clock: f.clock,
    schedules: new RecordingScheduleControl([invoiceJob]),
  });
  const out: string[] = [];
  const io: CliIo = { out: (text) => void out.push(text), err: () => {}, errIsTty: false };
  const code = await runCommand({ name: 'redrive', job: invoiceJob.name, dryRun: false, filter }, false, ops, io);
  return { code, text: out.join('\n') };
}

const MOVED_ROW = /^invoice-1\s+1\s+\S+\s+permanent failure: PermanentJobError: the invoice template is missing$/;

describe('CLI: jobs redrive, when the moved messages fail again', () => {
  it('without a filter, says the moved message failed again and came back, and never names a filter', async () => {
    const worker = await failingWorker();
    await worker.fail(['invoice-1']);

    const { code, text } = await redrive(worker.f, clientWithWorker(worker.runQueue));

    expect(code).toBe(0);
    expect(text).not.toContain('filter');
    const lines = text.split('\n');
    expect(lines[0]).toBe('Moved 1 message(s) from the send-invoice DLQ to its queue:');
    expect(lines[3]).toMatch(MOVED_ROW);
    expect(lines.slice(4)).toEqual([
      '',
      '1 of the moved message(s) failed again and came back to the DLQ while the redrive ran (see jobs-cli dlq ' +
        'send-invoice)',
    ]);
    expect(await messageCount(sqs(), worker.f.dlqUrl)).toBe(1);
  }, 60_000);

  it('with a filter, counts apart what it did not match, what failed again, and the dead letter of another ' +
    'run that arrived meanwhile', async () => {
    const worker = await failingWorker();
    await worker.fail(['invoice-1', 'invoice-2']);
    let others = 0;
    const client = clientWithWorker(async () => {
      await worker.runQueue();
      if (others++ === 0) await worker.fail(['invoice-9']);
    });

    const { code, text } = await redrive(worker.f, client, 'jobId=invoice-1');

    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Moved 1 message(s) from the send-invoice DLQ to its queue:');
    expect(lines[3]).toMatch(MOVED_ROW);
    expect(lines.slice(4)).toEqual([
      '',
      '1 left in the DLQ: the filter did not match them',
      '1 of the moved message(s) failed again and came back to the DLQ while the redrive ran (see jobs-cli ' +
        'dlq send-invoice)',
      '1 other dead letter(s) reached the DLQ while the redrive ran; left there',
    ]);
    expect(await messageCount(sqs(), worker.f.dlqUrl)).toBe(3);
  }, 60_000);
});
