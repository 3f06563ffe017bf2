import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { N, S } from '@serverless-jobs/runtime/adapters';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';
import type { EmailSender, OutgoingEmail } from '#shared/domain/email';
import { sendEmailJob } from '#shared/jobs/send-email';
import { lambdaContext, type Workload } from './workload';

/**
 * The baseline's run history, as the usual recipe keeps one: an item per job, and an index by job and time that
 * projects every attribute (the design our ledger had before it moved a job's runs into its own partitions).
 */
export const baselineHistoryTable: TableDesign = {
  id: 'History',
  envVar: 'HISTORY_TABLE',
  partitionKey: 'pk',
  indexes: [{ name: 'byJob', partitionKey: 'job', sortKey: 'createdAt' }],
};

export interface BaselineOptions {
  readonly dynamodb: DynamoDBClient;
  /** The idempotency table: partition key `id`, as Powertools' DynamoDB persistence layer expects. */
  readonly idempotencyTable: string;
  /** The run history (baselineHistoryTable), so that it too answers "a job's runs, newest first". */
  readonly historyTable: string;
  readonly sender: EmailSender;
}

interface Envelope {
  readonly id: string;
  readonly payload: unknown;
}

/**
 * The usual recipe, as Powertools' documentation builds it: BatchProcessor + processPartialResponse, the
 * record handler made idempotent with makeIdempotent on the DynamoDB persistence layer (keyed by the job ID),
 * and a history item written per job. It validates the payload with the same schema and sends the same
 * e-mail as our runtime.
 */
export function powertoolsBaseline(options: BaselineOptions): Workload {
  const job = sendEmailJob;
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.idempotencyTable,
    awsSdkV3Client: options.dynamodb,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: job.ledgerRetentionDays * 86_400,
    throwOnNoIdempotencyKey: true,
  });
  const send = makeIdempotent(
    async (envelope: Envelope): Promise<{ messageId: string }> =>
      options.sender.send(job.payload.parse(envelope.payload) as OutgoingEmail),
    { persistenceStore, config },
  );
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const envelope = JSON.parse(record.body) as Envelope;
    const startedAt = new Date().toISOString();
    const { messageId } = await send(envelope);
    const finishedAt = new Date().toISOString();
    await options.dynamodb.send(
      new PutItemCommand({
        TableName: options.historyTable,
        Item: {
          pk: S(`${job.name}/${envelope.id}`),
          job: S(job.name),
          id: S(envelope.id),
          status: S('SUCCEEDED'),
          createdAt: S(startedAt),
          startedAt: S(startedAt),
          finishedAt: S(finishedAt),
          messageId: S(messageId),
          expiresAt: N(Math.floor(Date.now() / 1000) + job.ledgerRetentionDays * 86_400),
        },
      }),
    );
  };
  return {
    name: 'Powertools baseline',
    async handle(records) {
      const context = lambdaContext(job.timeoutSeconds * 1000);
      config.registerLambdaContext(context);
      const event: SQSEvent = { Records: [...records] };
      // One processor per invocation: off Lambda, batches running at once would share one processor's state.
      const processor = new BatchProcessor(EventType.SQS);
      const { batchItemFailures } = await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
      });
      return records.length - batchItemFailures.length;
    },
  };
}
