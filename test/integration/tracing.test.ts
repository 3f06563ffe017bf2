import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { toRunView } from '@serverless-jobs/cli/ops';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { type JobLogger, PermanentJobError, processBatch, type RuntimeLogger } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { dynamo, sqs } from '#test/helpers/aws';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

const follow = defineJob({
  name: 'follow-up',
  description: 'What the traced job enqueues.',
  payload: z.strictObject({ n: z.number() }),
});
const job = defineJob({
  name: 'traced-job',
  description: 'A job that enqueues, continues or fails, for the tracing tests.',
  payload: z.strictObject({ mode: z.enum(['enqueue', 'continue', 'permanent']) }),
  resources: { enqueues: [follow, 'traced-job'] },
});

const SENDER_ROOT = '1-6650f3a2-0123456789abcdef01234567';
const SENDER = `Root=${SENDER_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;
const INVOCATION_ROOT = '1-6650f3a3-fedcba9876543210fedcba98';
const INVOCATION = `Root=${INVOCATION_ROOT};Parent=1111111111111111;Sampled=1;Lineage=c0ffee00:2`;

type Line = readonly [level: string, message: string, keys: Record<string, unknown>];

/** Powertools' way with keys: a child's persistent keys on each of its lines, the call's own merged over them. */
function recordingLogger(lines: Line[], keys: Record<string, unknown> = {}): RuntimeLogger {
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      void lines.push([level, message, Object.assign({}, keys, ...extra)]);
  const logger: JobLogger = { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
  return { ...logger, child: (more) => recordingLogger(lines, { ...keys, ...more }) };
}

async function receiveWithTrace(url: string): Promise<Message[]> {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['AWSTraceHeader'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages;
}

const record = (id: string, mode: string, traceHeader?: string) => {
  const r = sqsRecordFactory({ id, job: 'traced-job', payload: { mode } });
  return traceHeader ? { ...r, attributes: { ...r.attributes, AWSTraceHeader: traceHeader } } : r;
};

describe('Tracing: one trace from a send to its run and the jobs it enqueues', () => {
  it(
    "runs a message in its sender's trace: on the ledger item, the context, every log line, and the header " +
      'of the job it enqueues, which carries the Lineage of the invocation',
    async () => {
      const f = await createRuntimeFixture([follow.name]);
      const lines: Line[] = [];
      let seen: string | undefined;
      const deps = f.deps(
        job,
        async (_payload, ctx) => {
          seen = ctx.traceId;
          ctx.logger.info('Enqueueing');
          await ctx.enqueue(follow.name, { n: 1 }, { id: 'f-1' });
        },
        { logger: recordingLogger(lines), traceHeader: () => INVOCATION },
      );
      await processBatch(deps, [record('a', 'enqueue', SENDER)]);

      const item = await f.run(runKey({ job: 'traced-job', id: 'a' }));
      expect(item).toMatchObject({ status: 'SUCCEEDED', traceId: SENDER_ROOT });
      const { Item } = await dynamo().send(
        new GetItemCommand({
          TableName: f.ledgerName,
          Key: runKey({ job: 'traced-job', id: 'a' }),
          ConsistentRead: true,
        }),
      );
      expect(toRunView(Item!).traceId).toBe(SENDER_ROOT);
      expect(seen).toBe(SENDER_ROOT);
      // The run's lines, DEBUG included, carry its trace; the batch's own line is the invocation's.
      const runLines = lines.slice(0, -1);
      expect(lines.at(-1)).toEqual(['INFO', 'Batch settled', { succeeded: ['a'] }]);
      expect(runLines.map(([level, message]) => `${level} ${message}`)).toEqual([
        'INFO Enqueueing',
        'DEBUG Job succeeded',
      ]);
      for (const [, message, keys] of runLines) expect(keys.xray_trace_id, message).toBe(SENDER_ROOT);
      const [sent] = await receiveWithTrace(f.targetUrls.get(follow.name)!);
      expect(sent?.Attributes?.AWSTraceHeader).toBe(`${SENDER};Lineage=c0ffee00:2`);
    },
  );

  it("runs a message sent without a trace in the invocation's, and a retry of it in the same one", async () => {
    const f = await createRuntimeFixture([follow.name]);
    const deps = f.deps(job, async (_payload, ctx) => ctx.enqueue(follow.name, { n: 1 }, { id: 'f-2' }), {
      traceHeader: () => INVOCATION,
    });
    await processBatch(deps, [record('b', 'enqueue')]);
    expect(await f.run(runKey({ job: 'traced-job', id: 'b' }))).toMatchObject({ traceId: INVOCATION_ROOT });
    const [sent] = await receiveWithTrace(f.targetUrls.get(follow.name)!);
    expect(sent?.Attributes?.AWSTraceHeader).toBe(INVOCATION);
  });

  it('keeps the trace on a continuation and on the DLQ copy of a run that dies', async () => {
    const f = await createRuntimeFixture([job.name]);
    const deps = f.deps(job, async (payload, ctx) => {
      if ((payload as { mode: string }).mode === 'permanent') throw new PermanentJobError('no such order');
      await ctx.continueLater({ cursor: 1 });
    });
    await processBatch(deps, [record('c', 'continue', SENDER), record('d', 'permanent', SENDER)]);
    const [continuation] = await receiveWithTrace(f.targetUrls.get(job.name)!);
    expect(JSON.parse(continuation!.Body!)).toMatchObject({ id: 'c~1' });
    expect(continuation?.Attributes?.AWSTraceHeader).toBe(SENDER);
    const [dead] = await receiveWithTrace(f.dlqUrl);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ id: 'd' });
    expect(dead?.Attributes?.AWSTraceHeader).toBe(SENDER);
    expect(await f.run(runKey({ job: 'traced-job', id: 'd' }))).toMatchObject({ status: 'DEAD', traceId: SENDER_ROOT });
  });

  it('records the trace of a message refused before it became a run, and logs the refusal in it', async () => {
    const f = await createRuntimeFixture();
    const lines: Line[] = [];
    const deps = f.deps(job, async () => {}, { logger: recordingLogger(lines) });
    await processBatch(deps, [record('e', 'unknown-mode', SENDER)]);
    expect(await f.run(runKey({ job: 'traced-job', id: 'e' }))).toMatchObject({ status: 'DEAD', traceId: SENDER_ROOT });
    expect(lines).toEqual([['WARN', 'Message rejected', expect.objectContaining({ xray_trace_id: SENDER_ROOT })]]);
    const [dead] = await receiveWithTrace(f.dlqUrl);
    expect(dead?.Attributes?.AWSTraceHeader).toBe(SENDER);
  });

  it('keeps a message sent outside the runtime in the trace its sender gave, as SQS does', async () => {
    const f = await createRuntimeFixture();
    const client = sqs();
    await client.send(
      new SendMessageCommand({
        QueueUrl: f.queueUrl,
        MessageBody: '{}',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: SENDER } },
      }),
    );
    // The SDK's X-Amzn-Trace-Id, which it sends inside Lambda, when no system attribute says otherwise.
    const fromHttp = new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: '{}' });
    fromHttp.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['X-Amzn-Trace-Id'] = INVOCATION;
        return next(args);
      },
      { step: 'build' },
    );
    await client.send(fromHttp);
    await client.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: '{}' }));
    const received = await receiveWithTrace(f.queueUrl);
    expect(received.map((m) => m.Attributes?.AWSTraceHeader).sort()).toEqual([INVOCATION, SENDER, undefined].sort());
    await expect(
      client.send(
        new SendMessageCommand({
          QueueUrl: f.queueUrl,
          MessageBody: '{}',
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=nonsense' } },
        }),
      ),
    ).rejects.toThrow(/AWSTraceHeader/);
  });
});
