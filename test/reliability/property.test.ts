import { paginateScan } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import type { JobQueue } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import { dynamo } from '#test/helpers/aws';
import { matrixEnvelope, matrixJob } from '#test/helpers/reliability-jobs';
import { createRuntimeFixture, type RuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/** What the handler does on a given attempt. */
type Behaviour = 'ok' | 'throw' | 'crash-after-effect' | 'timeout' | 'permanent';

interface JobPlan {
  /** Behaviour on attempt 1, 2, …; 'ok' after the list ends. */
  readonly attempts: readonly Behaviour[];
  /** Extra copies of the message (SQS redelivery or a producer re-send), and when each arrives. */
  readonly duplicateDelaysMs: readonly number[];
}

interface Scenario {
  readonly jobs: readonly JobPlan[];
  /** Time between two invocations. */
  readonly gapsMs: readonly number[];
}

const behaviour = fc.constantFrom<Behaviour>('ok', 'ok', 'throw', 'crash-after-effect', 'timeout', 'permanent');
const scenario: fc.Arbitrary<Scenario> = fc.record({
  jobs: fc.array(
    fc.record({
      attempts: fc.array(behaviour, { minLength: 1, maxLength: 4 }),
      duplicateDelaysMs: fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 10 },
  ),
  gapsMs: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 20 }),
});

/** The outcome the ledger must end with, from the plan alone (attempts: 3). */
function expected(plan: JobPlan): { status: 'SUCCEEDED' | 'DEAD'; attempt?: number } {
  for (let attempt = 1; attempt <= matrixJob.retry.attempts; attempt++) {
    const b = plan.attempts[attempt - 1] ?? 'ok';
    if (b === 'ok') return { status: 'SUCCEEDED', attempt };
    if (b === 'permanent') return { status: 'DEAD' };
  }
  return { status: 'DEAD' };
}

/** The behaviours of the attempts that actually run, up to the first success or permanent failure. */
function executed(plan: JobPlan): Behaviour[] {
  const ran: Behaviour[] = [];
  for (let attempt = 1; attempt <= matrixJob.retry.attempts; attempt++) {
    const b = plan.attempts[attempt - 1] ?? 'ok';
    ran.push(b);
    if (b === 'ok' || b === 'permanent') break;
  }
  return ran;
}

/** Messages in flight, with SQS's visibility on the injected clock. */
interface QueuedMessage {
  readonly record: SQSRecord;
  visibleAt: number;
}

const VISIBILITY_TIMEOUT_MS = 6 * matrixJob.timeoutSeconds * 1000;

async function runScenario(f: RuntimeFixture, s: Scenario, prefix: string): Promise<void> {
  const ids = s.jobs.map((_, i) => `${prefix}-${i}`);
  const plans = new Map(ids.map((id, i) => [id, s.jobs[i]!]));
  const effects = new Map<string, number>();
  const completions = new Map<string, number>();
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  let hung: (() => void) | undefined;

  // The simulated queue owns visibility; the DLQ copies go to fauxqs.
  const queue: JobQueue = {
    send: (job, jobs) => f.queue.send(job, jobs),
    deadLetter: (letter) => f.queue.deadLetter(letter),
    changeVisibility: async () => {},
  };
  const deps = f.deps(
    matrixJob,
    async (_payload, ctx) => {
      const b = plans.get(ctx.jobId)!.attempts[ctx.attempt - 1] ?? 'ok';
      if (b === 'throw') throw new Error(`transient failure on attempt ${ctx.attempt}`);
      if (b === 'permanent') throw new PermanentJobError('cannot be done');
      if (b === 'timeout') {
        hung?.();
        await new Promise(() => {}); // killed at its Timeout: never returns
      }
      bump(effects, ctx.jobId);
      if (b === 'crash-after-effect') throw new Error('worker crashed after its side effect');
      bump(completions, ctx.jobId);
    },
    { queue },
  );

  const start = f.clock.now();
  const messages: QueuedMessage[] = [];
  ids.forEach((id, i) => {
    messages.push({ record: sqsRecordFactory(matrixEnvelope(id)), visibleAt: start });
    for (const delay of s.jobs[i]!.duplicateDelaysMs)
      messages.push({ record: sqsRecordFactory(matrixEnvelope(id)), visibleAt: start + delay });
  });

  for (let step = 0; messages.length > 0; step++) {
    if (step > 500) throw new Error(`no progress after 500 invocations; ${messages.length} messages left`);
    f.clock.advance(s.gapsMs[step % s.gapsMs.length]!);
    let next = messages.filter((m) => m.visibleAt <= f.clock.now()).sort((a, b) => a.visibleAt - b.visibleAt)[0];
    if (!next) {
      const earliest = Math.min(...messages.map((m) => m.visibleAt));
      f.clock.advance(earliest - f.clock.now());
      next = messages.find((m) => m.visibleAt <= f.clock.now())!;
    }
    const current = next;
    const hangs = new Promise<'hung'>((resolve) => (hung = () => resolve('hung')));
    const result = await Promise.race([processBatch(deps, [current.record]), hangs]);
    hung = undefined;
    if (result === 'hung') {
      // Lambda killed the invocation: the record comes back after the queue's visibility timeout.
      current.visibleAt = f.clock.now() + VISIBILITY_TIMEOUT_MS;
      continue;
    }
    const outcome = result.outcomes[0]!;
    if (outcome.kind === 'ack') messages.splice(messages.indexOf(current), 1);
    else current.visibleAt = f.clock.now() + outcome.visibilitySeconds * 1000;
  }

  // Exactly one ledger record per job, and it is terminal.
  const records = new Map<string, { status: string; attempt: number }>();
  for await (const page of paginateScan({ client: dynamo() }, { TableName: f.ledgerName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const id = item.id?.S ?? '';
      if (!id.startsWith(`${prefix}-`)) continue;
      expect(records.has(id), `two records for ${id}`).toBe(false);
      records.set(id, { status: item.status?.S ?? '', attempt: Number(item.attempt?.N ?? '0') });
    }
  }
  expect([...records.keys()].sort()).toEqual([...ids].sort());
  const letters = (await f.drain(f.dlqUrl)).map(
    (m) => m.MessageAttributes?.['sj-job-id']?.StringValue ?? m.MessageAttributes?.jobId?.StringValue ?? '',
  );
  const completed = ids.filter((id) => records.get(id)?.status === 'SUCCEEDED');
  const dead = ids.filter((id) => records.get(id)?.status === 'DEAD');
  // completed ∪ dead-lettered = all jobs, disjoint; one DLQ copy per dead job.
  expect([...completed, ...dead].sort()).toEqual([...ids].sort());
  expect([...letters].sort()).toEqual([...dead].sort());
  for (const id of ids) {
    const want = expected(plans.get(id)!);
    expect(records.get(id), id).toMatchObject(want);
    // A completed job's handler completed once; a dead one's never. Only crashes after the effect repeat the effect.
    expect(completions.get(id) ?? 0, id).toBe(want.status === 'SUCCEEDED' ? 1 : 0);
    const crashes = executed(plans.get(id)!).filter((b) => b === 'crash-after-effect').length;
    expect(effects.get(id) ?? 0, id).toBe((completions.get(id) ?? 0) + crashes);
  }
}

describe('Reliability matrix 11: randomized property test with a fake clock (DynamoDB Local + fauxqs)', () => {
  it('11: with random duplicates, failures, crashes and timeouts, completed ∪ dead-lettered = all ' +
    'jobs, each with exactly one terminal ledger record', async () => {
    const f = await createRuntimeFixture();
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          await runScenario(f, s, `p${run++}`);
        }),
        { seed, numRuns: Number(process.env.FC_RUNS ?? 25), endOnFailure: true },
      );
    } catch (error) {
      console.error(`property test failed: reproduce with FC_SEED=${seed}`);
      throw error;
    }
    console.log(`property test: ${run} scenarios passed (seed ${seed}; FC_SEED=${seed} reproduces them)`);
  }, 120_000);
});
