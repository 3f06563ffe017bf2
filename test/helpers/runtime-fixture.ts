import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { DynamoDbRunLedger, runKey, singletonKey } from '@serverless-jobs/runtime/adapters';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import { queueUrlVariable } from '@serverless-jobs/runtime/contracts';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { JobHandler, JobLogger } from '@serverless-jobs/runtime/runtime';
import type { RuntimeDeps } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { createQueue, createTable, dynamo, sqs } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';
import { RecordingMetrics } from '#test/helpers/recording-metrics';

const quiet: JobLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A job runtime on DynamoDB Local and fauxqs, with its own ledger table and queues, and an injected clock. */
export interface RuntimeFixture {
  readonly ledgerName: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly targetUrls: Map<string, string>;
  readonly clock: FakeClock;
  readonly metrics: RecordingMetrics;
  readonly ledger: DynamoDbRunLedger;
  readonly queue: SqsJobQueue;
  deps(job: JobDeclaration, handler: JobHandler<unknown, unknown>, overrides?: Partial<RuntimeDeps>): RuntimeDeps;
  /** The ledger item with this key (runKey for a run, singletonKey for a lease), read consistently. */
  run(key: Record<string, AttributeValue>): Promise<Record<string, unknown> | undefined>;
  drain(queueUrl: string): Promise<Message[]>;
}

export async function createRuntimeFixture(
  targets: readonly string[] = [],
  ledgerClient = dynamo(),
): Promise<RuntimeFixture> {
  const client = sqs();
  const [ledgerName, queueUrl, dlqUrl] = await Promise.all([
    createTable(ledgerTable),
    createQueue('jobs'),
    createQueue('jobs-dlq'),
  ]);
  const targetUrls = new Map<string, string>();
  for (const target of targets) targetUrls.set(target, await createQueue(target));
  const clock = new FakeClock();
  const metrics = new RecordingMetrics();
  const ledger = new DynamoDbRunLedger(ledgerClient, ledgerName);
  const queue = new SqsJobQueue(client, {
    ownQueueUrl: queueUrl,
    deadLetterQueueUrl: dlqUrl,
    queueUrlOf: (job) => {
      const url = targetUrls.get(job);
      if (!url) throw new Error(`${queueUrlVariable(job)} is not set`);
      return url;
    },
    now: () => clock.now(),
  });
  return {
    ledgerName,
    queueUrl,
    dlqUrl,
    targetUrls,
    clock,
    metrics,
    ledger,
    queue,
    deps: (job, handler, overrides = {}) => ({
      job,
      handler,
      settings: z.parse(job.settings, {}),
      ledger,
      queue,
      clock,
      logger: { ...quiet, child: () => quiet },
      metrics,
      remainingMs: () => job.timeoutSeconds * 1000,
      random: () => 0.5,
      ...overrides,
    }),
    run: async (key) => {
      const { Item } = await dynamo().send(
        new GetItemCommand({ TableName: ledgerName, Key: key, ConsistentRead: true }),
      );
      return Item ? fromItem(Item) : undefined;
    },
    drain: async (url) => {
      const messages: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
            VisibilityTimeout: 300,
          }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages);
      }
    },
  };
}

export { runKey, singletonKey };
