import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { sqs } from '#test/helpers/aws';
import { deleteAcknowledged, receive, sendBodies, toSqsRecord } from '#test/helpers/queue-driver';
import { EffectLog, matrixEnvelope, matrixJob } from '#test/helpers/reliability-jobs';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';

describe('Reliability matrix 5: visibility timeout shorter than the runtime (fauxqs + DynamoDB Local)', () => {
  it('5: the overlapping delivery takes the BUSY path and does not run the handler a second time', async () => {
    const f = await createRuntimeFixture();
    // A 1 s visibility timeout; the handler takes 2.5 s, so SQS hands the same message to a second poller meanwhile.
    await sqs().send(new SetQueueAttributesCommand({ QueueUrl: f.queueUrl, Attributes: { VisibilityTimeout: '1' } }));
    const effects = new EffectLog();
    let started = 0;
    const deps = f.deps(matrixJob, async (_payload, ctx) => {
      started++;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      effects.record(ctx.jobId);
    });
    await sendBodies(f.queueUrl, [JSON.stringify(matrixEnvelope('slow'))]);

    const [firstMessage] = await receive(f.queueUrl);
    expect(firstMessage).toBeDefined();
    const firstRecord = toSqsRecord(firstMessage!);
    const first = processBatch(deps, [firstRecord]);

    // The same message, visible again while the first invocation is still running.
    const overlap = await receive(f.queueUrl, 10, undefined, 3);
    expect(overlap.map((m) => m.MessageId)).toEqual([firstMessage!.MessageId]);
    const overlapRecord = toSqsRecord(overlap[0]!);
    const second = await processBatch(deps, [overlapRecord]);
    expect(second.outcomes[0]).toMatchObject({ kind: 'retry', result: 'BUSY' });
    expect(second.response.batchItemFailures).toEqual([{ itemIdentifier: overlapRecord.messageId }]);
    // Handed back until the lease ends (lease = 30 s remaining + 30 s grace).
    expect(second.outcomes[0]).toEqual({ kind: 'retry', result: 'BUSY', visibilitySeconds: 61 });

    const done = await first;
    expect(done.outcomes).toEqual([{ kind: 'ack', result: 'SUCCEEDED' }]);
    expect(started).toBe(1);
    expect(effects.count('slow')).toBe(1);
    expect(await f.run(runKey({ job: 'matrix-job', id: 'slow' }))).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      fence: 1,
    });

    // The event source mapping deletes with the latest receipt handle; the next copy is a duplicate.
    await deleteAcknowledged(f.queueUrl, [overlapRecord], { ...done, response: { batchItemFailures: [] } });
    const again = await processBatch(deps, [overlapRecord]);
    expect(again.outcomes).toEqual([{ kind: 'ack', result: 'DUPLICATE' }]);
    expect(started).toBe(1);
    expect(f.metrics.total('JobBusy')).toBe(1);
    expect(f.metrics.total('JobDuplicate')).toBe(1);
    expect(await receive(f.queueUrl)).toEqual([]);
    expect(await f.drain(f.dlqUrl)).toEqual([]);
  });
});
