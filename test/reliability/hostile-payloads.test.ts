import { randomUUID } from 'node:crypto';
import { SESClient } from '@aws-sdk/client-ses';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { sendEmailJob } from '#shared/jobs/send-email';
import {
  ChangeMessageVisibilityBatchCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import type { DeadLetter, JobQueue } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import type { RecordOutcome } from '@serverless-jobs/runtime/runtime';
import { sendEmail } from '#functions/send-email/send-email';
import { sesStore, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture, type RuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';
import {
  FAUXQS_CHARACTERS,
  hostile,
  type HostileCase,
  huge,
  nesting,
  SQS_CHARACTERS,
} from '#test/reliability/support/hostile-cases';

/**
 * Matrix case 10: poison and hostile payloads, fuzzed with fast-check, through processBatch with real
 * ports (DynamoDB Local ledger, the SES emulator). Each hostile record is acknowledged (DEAD with a
 * readable reason, or SUCCEEDED when it is actually a valid e-mail), no batch throws, the valid sibling
 * in every batch succeeds, nothing reaches SES with CR/LF in a header, and Object.prototype is untouched.
 */

const sender = new SesEmailSender(new SESClient({}), 'jobs@example.com');
const run = uniqueName('hostile');

/**
 * The DLQ of the 1,000-case run, in memory (fast), behind the real SqsJobQueue adapter: it refuses what SQS
 * refuses (characters outside SQS's set, more than 1 MiB with attributes), so the adapter's copy is checked
 * as SQS would check it. The smaller run below uses fauxqs.
 */
class MemorySqs {
  readonly sent: { body: string; attributes: Record<string, MessageAttributeValue> }[] = [];
  async send(command: object): Promise<object> {
    if (command instanceof SendMessageCommand) {
      const { MessageBody = '', MessageAttributes = {} } = command.input;
      const values = [MessageBody, ...Object.values(MessageAttributes).map((v) => v.StringValue ?? '')];
      if (!values.every((v) => SQS_CHARACTERS.test(v)))
        throw new Error('InvalidMessageContents: Invalid characters found');
      const bytes =
        values.reduce((sum, v) => sum + Buffer.byteLength(v), 0) +
        Object.keys(MessageAttributes).join('').length +
        6 * Object.keys(MessageAttributes).length;
      if (bytes > 1_048_576)
        throw new Error(`InvalidParameterValue: Message must be shorter than 1048576 bytes (given ${bytes})`);
      this.sent.push({ body: MessageBody, attributes: MessageAttributes });
      return { MessageId: randomUUID() };
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) return { Successful: [], Failed: [] };
    throw new Error(`MemorySqs: unexpected ${command.constructor.name}`);
  }
  reasons(): Map<string, string> {
    return new Map(
      this.sent.map((m) => [m.attributes.jobId?.StringValue ?? '', m.attributes['sj-reason']?.StringValue ?? '']),
    );
  }
}

/** Delegates to the real adapter and remembers which record each dead letter came from. */
class RecordingQueue implements JobQueue {
  readonly letters = new Map<string, DeadLetter>();
  constructor(private readonly inner: JobQueue) {}
  send(job: string, jobs: Parameters<JobQueue['send']>[1]): Promise<void> {
    return this.inner.send(job, jobs);
  }
  async deadLetter(letter: DeadLetter): Promise<void> {
    await this.inner.deadLetter(letter);
    this.letters.set(letter.record.messageId, letter);
  }
  changeVisibility(changes: Parameters<JobQueue['changeVisibility']>[0]): Promise<void> {
    return this.inner.changeVisibility(changes);
  }
}

const protoSnapshot = () => Object.getOwnPropertyNames(Object.prototype).sort();

function assertPristinePrototype(before: readonly string[]): void {
  expect(protoSnapshot()).toEqual(before);
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin']) expect(probe[key], `Object.prototype.${key}`).toBeUndefined();
  expect(typeof probe.toString).toBe('function');
}

/** A readable reason: a known prefix, one line, no control characters, well-formed UTF-16, bounded. */
function assertReadableReason(reason: string, kind: string): void {
  expect(reason, kind).toMatch(/^(invalid message|invalid payload|permanent failure): \S/);
  // SDK error messages may span lines; nothing else below U+0020, and no lone surrogate.
  expect(reason, kind).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  expect(reason, `${kind}: well-formed`).not.toMatch(/\p{Cs}/u);
  expect(reason.length, kind).toBeLessThanOrEqual(2000);
}

async function assertNoInjectedHeaderReachedSes(): Promise<void> {
  const mails = await sesStore();
  for (const mail of mails) {
    const headers = [
      mail.from,
      mail.subject,
      ...mail.destination.to,
      ...((mail as { replyTo?: string[] }).replyTo ?? []),
    ];
    for (const header of headers) expect(header, JSON.stringify(mail).slice(0, 200)).not.toMatch(/[\r\n]/);
  }
}

interface Batch {
  readonly cases: readonly HostileCase[];
  readonly records: readonly SQSRecord[];
  readonly sibling: { readonly to: string; readonly record: SQSRecord };
}

function batchOf(cases: readonly HostileCase[], n: number): Batch {
  const to = `${run}-sibling-${n}@example.com`;
  const sibling = sqsRecordFactory({
    id: `${run}-sibling-${n}`,
    payload: { to, subject: `Sibling ${n}`, text: 'I must arrive once.' },
  });
  const records = cases.map((c) => sqsRecordFactory(c.body, { attributes: c.attributes }));
  // The valid sibling sits in the middle of the hostile records.
  const middle = Math.floor(records.length / 2);
  return {
    cases,
    records: [...records.slice(0, middle), sibling, ...records.slice(middle)],
    sibling: { to, record: sibling },
  };
}

function checkOutcomes(
  batch: Batch,
  outcomes: readonly RecordOutcome[],
  deadLetters: ReadonlyMap<string, DeadLetter>,
): { dead: number; succeeded: number } {
  let dead = 0;
  let succeeded = 0;
  batch.records.forEach((record, index) => {
    const outcome = outcomes[index]!;
    if (record === batch.sibling.record) {
      expect(outcome, 'the valid sibling').toEqual({ kind: 'ack', result: 'SUCCEEDED' });
      return;
    }
    const c = batch.cases[index > batch.records.indexOf(batch.sibling.record) ? index - 1 : index]!;
    expect(
      outcome.kind,
      `${c.kind}: acknowledged, not retried (${JSON.stringify(outcome)}) for ${JSON.stringify(c.body.slice(0, 120))}`,
    ).toBe('ack');
    if (outcome.kind !== 'ack') return;
    if (outcome.result === 'SUCCEEDED') {
      succeeded++;
      return;
    }
    expect(outcome.result, c.kind).toBe('DEAD');
    dead++;
    const letter = deadLetters.get(record.messageId);
    expect(letter, `${c.kind}: a DLQ copy`).toBeDefined();
    assertReadableReason(letter!.reason, c.kind);
    if (c.kind.startsWith('header injection') || c.kind.startsWith('prototype pollution (__proto__ in payload')) {
      expect(letter!.reason, c.kind).toMatch(/^invalid (payload|message)/);
    }
  });
  return { dead, succeeded };
}

/** Errors the runtime logged (a record it could not settle), shown when an assertion fails. */
const logged: string[] = [];
const capture = {
  debug: () => {},
  info: () => {},
  warn: (message: string, ...extra: Record<string, unknown>[]) =>
    void logged.push(`${message} ${JSON.stringify(extra).slice(0, 300)}`),
  error: (message: string, ...extra: Record<string, unknown>[]) =>
    void logged.push(`${message} ${JSON.stringify(extra).slice(0, 300)}`),
};

const sendDeps = (f: RuntimeFixture, queue: JobQueue) =>
  f.deps(sendEmailJob, (payload, ctx) => sendEmail(payload as Parameters<typeof sendEmail>[0], ctx, sender), {
    queue,
    logger: { ...capture, child: () => capture },
  });

describe('Reliability 10: poison and hostile payloads (fast-check)', () => {
  it('1,000+ fuzzed hostile records: each acknowledged with a readable reason or sent, valid ' +
    'siblings sent once, no injected header at SES, no pollution', async () => {
    const f = await createRuntimeFixture();
    const memory = new MemorySqs();
    const adapter = new SqsJobQueue(memory as unknown as SQSClient, {
      ownQueueUrl: 'memory://jobs',
      deadLetterQueueUrl: 'memory://dlq',
      queueUrlOf: () => 'memory://none',
      now: () => f.clock.now(),
    });
    const dlq = new RecordingQueue(adapter);
    const deps = sendDeps(f, dlq);
    const before = protoSnapshot();
    // Deterministic, so a failure is reproducible; the seed is printed by fast-check on failure too.
    const seed = Number(process.env.SJ_FUZZ_SEED ?? 20271028);
    const cases = [
      ...fc.sample(hostile, { numRuns: 1_000, seed }),
      ...fc.sample(huge, { numRuns: 3, seed }),
      ...fc.sample(nesting, { numRuns: 12, seed: seed + 1 }),
    ];
    expect(cases.length).toBeGreaterThanOrEqual(1_000);
    const batches: Batch[] = [];
    for (let i = 0; i < cases.length; i += 9) batches.push(batchOf(cases.slice(i, i + 9), batches.length));
    let dead = 0;
    let succeeded = 0;
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind.replace(/ \(.*$/, ''), (kinds.get(c.kind.replace(/ \(.*$/, '')) ?? 0) + 1);
    for (let i = 0; i < batches.length; i += 4) {
      // Four batches at once, as four concurrent invocations would be.
      const group = batches.slice(i, i + 4);
      const summaries = await Promise.all(group.map((batch) => processBatch(deps, batch.records)));
      group.forEach((batch, j) => {
        expect(summaries[j]!.response.batchItemFailures, `batch ${i + j}: ${logged.join('\n')}`).toEqual([]);
        const counted = checkOutcomes(batch, summaries[j]!.outcomes, dlq.letters);
        dead += counted.dead;
        succeeded += counted.succeeded;
      });
    }
    assertPristinePrototype(before);
    expect(dead + succeeded).toBe(cases.length);
    expect(dlq.letters.size).toBe(dead);
    expect(memory.sent).toHaveLength(dead);
    for (const copy of memory.sent)
      assertReadableReason(copy.attributes['sj-reason']?.StringValue ?? '', copy.body.slice(0, 80));
    const truncated = memory.sent.filter((copy) => copy.attributes['sj-truncated'] !== undefined);
    expect(truncated.length, 'the ~1 MiB bodies whose copy had to be cut').toBeGreaterThan(0);
    // Every valid sibling reached SES exactly once.
    const mails = await sesStore();
    for (const batch of batches)
      expect(
        mails.filter((m) => m.destination.to.includes(batch.sibling.to)),
        batch.sibling.to,
      ).toHaveLength(1);
    await assertNoInjectedHeaderReachedSes();
    expect(f.metrics.total('JobDeadLettered')).toBe(dead);
    console.log(
      `hostile payloads: ${cases.length} cases in ${batches.length} batches: ${dead} dead-lettered, ` +
        `${succeeded} sent; ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  }, 120_000);

  it('the same, smaller, with the DLQ on fauxqs: every dead letter is in the real DLQ with its ' +
    'reason attribute', async () => {
    const f = await createRuntimeFixture();
    const deps = sendDeps(f, f.queue);
    const before = protoSnapshot();
    const cases = [
      ...fc.sample(
        hostile.filter((c) => FAUXQS_CHARACTERS.test(c.body)),
        { numRuns: 80, seed: 7 },
      ),
      ...fc.sample(huge, { numRuns: 3, seed: 7 }),
      ...fc.sample(nesting, { numRuns: 4, seed: 8 }),
    ];
    let dead = 0;
    const batches: Batch[] = [];
    for (let i = 0; i < cases.length; i += 9) batches.push(batchOf(cases.slice(i, i + 9), 10_000 + batches.length));
    for (const batch of batches) {
      const summary = await processBatch(deps, batch.records);
      expect(summary.response.batchItemFailures, logged.join('\n')).toEqual([]);
      dead += summary.outcomes.filter((o) => o.kind === 'ack' && o.result === 'DEAD').length;
      expect(summary.outcomes[batch.records.indexOf(batch.sibling.record)]).toEqual({
        kind: 'ack',
        result: 'SUCCEEDED',
      });
    }
    const letters = await f.drain(f.dlqUrl);
    expect(letters).toHaveLength(dead);
    for (const letter of letters)
      assertReadableReason(letter.MessageAttributes?.['sj-reason']?.StringValue ?? '', letter.Body?.slice(0, 80) ?? '');
    assertPristinePrototype(before);
    await assertNoInjectedHeaderReachedSes();
  }, 90_000);
});
