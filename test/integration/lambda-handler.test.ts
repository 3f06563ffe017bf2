import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runKey } from '@serverless-jobs/runtime/adapters';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { meterRequests } from '#bench/request-meter';
import { dynamo, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const job = defineJob({
  name: 'lambda-entry',
  description: 'A job of this test alone.',
  payload: z.strictObject({ n: z.number() }),
});
const context = { getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const event = (id: string): SQSEvent => ({ Records: [sqsRecordFactory({ id, payload: { n: 1 } })] });

describe('Function: createLambdaHandler, on DynamoDB Local', () => {
  afterEach(() => vi.unstubAllEnvs());

  async function functionEnvironment() {
    const f = await createRuntimeFixture([]);
    vi.stubEnv('LEDGER_TABLE', f.ledgerName);
    vi.stubEnv('JOB_QUEUE_URL', f.queueUrl);
    vi.stubEnv('JOB_DLQ_URL', f.dlqUrl);
    vi.stubEnv('JOB_SETTINGS', '{}');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    return f;
  }

  it("writes the ledger through the function's client when given one, else through one of its own", async () => {
    const f = await functionEnvironment();
    const shared = dynamo();
    const sharedMeter = meterRequests(shared);
    const handler = createLambdaHandler(job, async () => {}, { dynamodb: shared });
    const id = uniqueName('shared');
    expect(await handler(event(id), context)).toEqual({ batchItemFailures: [] });
    expect(await f.run(runKey({ job: job.name, id }))).toMatchObject({ status: 'SUCCEEDED' });
    // The claim and the completion, both through the given client.
    expect(sharedMeter.itemWrites()).toBe(2);

    const other = dynamo();
    const otherMeter = meterRequests(other);
    const alone = createLambdaHandler(job, async () => {});
    const second = uniqueName('alone');
    expect(await alone(event(second), context)).toEqual({ batchItemFailures: [] });
    expect(await f.run(runKey({ job: job.name, id: second }))).toMatchObject({ status: 'SUCCEEDED' });
    expect(otherMeter.itemWrites()).toBe(0);
    expect(sharedMeter.itemWrites()).toBe(2);
  });
});
