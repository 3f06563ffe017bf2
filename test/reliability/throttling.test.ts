import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { systemClock } from '@serverless-jobs/runtime/runtime';
import { dynamo } from '#test/helpers/aws';
import { injectFault, ledgerWrite, throttlingError } from '#test/helpers/fault-injection';
import { pollOnce, receive, sendBodies } from '#test/helpers/queue-driver';
import { EffectLog, matrixEnvelope, matrixJob } from '#test/helpers/reliability-jobs';
import { createRuntimeFixture } from '#test/helpers/runtime-fixture';
import { seededRandom } from '#infra/local/seeded-random';

describe('Reliability matrix 6: throttling and concurrency (fauxqs + DynamoDB Local, real clock)', () => {
  it('6: maximum concurrency at its floor (2) and a burst of 2,000 jobs with 5% of claim requests throttled: ' +
    'none in the DLQ, none lost, none run twice', async () => {
    const JOBS = 2_000;
    const client = new DynamoDBClient({});
    const random = seededRandom(20261124);
    // 5% of claim requests are throttled past the SDK's retries. A batch's claims go together: when their request is
    // throttled, each is written again alone, and a claim alone that is throttled hands its record back.
    const fault = injectFault(client, {
      match: (target) => ledgerWrite.claim(target) && random() < 0.05,
      times: Number.POSITIVE_INFINITY,
      error: throttlingError,
    });
    const f = await createRuntimeFixture([], client);
    const effects = new EffectLog();
    const job = { ...matrixJob, maxConcurrency: 2 };
    expect(job.maxConcurrency).toBe(2); // the floor that defineJob allows
    const deps = f.deps(
      job,
      async (_payload, ctx) => {
        effects.record(ctx.jobId);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
      { clock: systemClock },
    );

    const started = Date.now();
    await sendBodies(
      f.queueUrl,
      Array.from({ length: JOBS }, (_, i) => JSON.stringify(matrixEnvelope(`burst-${i}`, i))),
    );
    let acknowledged = 0;
    let retried = 0;
    const deadline = started + 50_000;
    // One lane per unit of maximum concurrency, each polling like the event source mapping.
    const lane = async (): Promise<void> => {
      while (acknowledged < JOBS && Date.now() < deadline) {
        const { summary } = await pollOnce(deps, f.queueUrl, 1);
        for (const outcome of summary?.outcomes ?? []) {
          if (outcome.kind === 'ack') acknowledged++;
          else retried++;
        }
      }
    };
    await Promise.all(Array.from({ length: job.maxConcurrency }, lane));
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `burst: ${JOBS} jobs through 2 lanes in ${seconds.toFixed(1)} s; ${fault.thrown()} claim requests ` +
        `throttled, ${retried} records handed back`,
    );

    expect(fault.thrown()).toBeGreaterThan(5);
    expect(retried).toBeGreaterThan(0);
    expect(acknowledged).toBe(JOBS);
    const statuses = new Map<string, number>();
    for await (const page of paginateScan(
      { client: dynamo() },
      {
        TableName: f.ledgerName,
        ConsistentRead: true,
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
      },
    )) {
      for (const item of page.Items ?? [])
        statuses.set(item.status?.S ?? '?', (statuses.get(item.status?.S ?? '?') ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ SUCCEEDED: JOBS });
    expect(effects.effects.size).toBe(JOBS);
    expect([...effects.effects.values()].every((n) => n === 1)).toBe(true);
    expect(await f.drain(f.dlqUrl)).toEqual([]);
    expect(await receive(f.queueUrl, 10, undefined, 0)).toEqual([]);
    expect(f.metrics.total('JobDeadLettered')).toBe(0);
    expect(f.metrics.total('JobSucceeded')).toBe(JOBS);
  }, 60_000);
});
