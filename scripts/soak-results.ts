import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobRunItems } from '@serverless-jobs/runtime/adapters';

function envelopeId(body: string | undefined): string {
  try {
    const id = (JSON.parse(body ?? '') as { id?: unknown }).id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/** What the soak found at the end: each job's run status, how often its effect was committed, the DLQ's reasons. */
export interface SoakResults {
  readonly runs: ReadonlyMap<string, string>;
  /** Each run's attempt and lease, to place a lost job's last claim in time. */
  readonly claims: ReadonlyMap<string, { readonly attempt: number; readonly leaseExpiresAt: number }>;
  readonly effects: ReadonlyMap<string, number>;
  readonly dlq: ReadonlyMap<string, string>;
  /** DLQ messages without a jobId attribute, found by their envelope's id instead. */
  readonly dlqWithoutJobId: number;
  readonly metrics: Readonly<
    Record<'JobDuplicate' | 'JobRetried' | 'JobDeadLettered' | 'JobLeaseLost' | 'JobBusy', number>
  >;
}

/** Reads the ledger, the effects table, the DLQ (draining it) and the EMF metrics of a soak's stack. */
export async function collectSoakResults(options: {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly ledgerTable: string;
  readonly effectsTable: string;
  readonly dlqUrl: string;
  readonly dataDir: string;
}): Promise<SoakResults> {
  const { dynamodb, sqs, ledgerTable, effectsTable, dlqUrl, dataDir } = options;
  // The ledger: one record per job ID, each SUCCEEDED or DEAD.
  const claims = new Map<string, { attempt: number; leaseExpiresAt: number }>();
  const runs = new Map<string, string>();
  for await (const item of jobRunItems(dynamodb, ledgerTable, 'soak')) {
    runs.set(item.id?.S ?? '', item.status?.S ?? '');
    claims.set(item.id?.S ?? '', {
      attempt: Number(item.attempt?.N ?? 0),
      leaseExpiresAt: Number(item.leaseExpiresAt?.N ?? 0),
    });
  }
  // The effects: how often each job's effect was committed.
  const effects = new Map<string, number>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page: ScanCommandOutput = await dynamodb.send(
      new ScanCommand({ TableName: effectsTable, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? [])
      effects.set((item.orderId?.S ?? '').replace(/^soak\//, ''), Number(item.effects?.N ?? 0));
    start = page.LastEvaluatedKey;
  } while (start);
  // The DLQ: one copy per dead job, with its reason.
  const dlq = new Map<string, string>();
  let withoutJobId = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 600,
      }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) {
      // SQS's own redrive (maxReceiveCount) moves a message as it is; one that lost its jobId attribute on the way
      // is still found by the envelope's id, and counted, so that such a move cannot pass for a lost job.
      const attribute = m.MessageAttributes?.jobId?.StringValue;
      if (attribute === undefined) withoutJobId++;
      const id = attribute ?? envelopeId(m.Body);
      dlq.set(id, m.MessageAttributes?.['sj-reason']?.StringValue ?? '(no reason: moved by maxReceiveCount)');
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }

  const metrics = { JobDuplicate: 0, JobRetried: 0, JobDeadLettered: 0, JobLeaseLost: 0, JobBusy: 0 };
  for (const line of readFileSync(join(dataDir, 'metrics.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    for (const name of Object.keys(metrics) as (keyof typeof metrics)[]) {
      const value = record[name];
      if (typeof value === 'number') metrics[name] += value;
      else if (Array.isArray(value)) metrics[name] += value.reduce((sum: number, v) => sum + Number(v), 0);
    }
  }

  return { runs, claims, effects, dlq, dlqWithoutJobId: withoutJobId, metrics };
}
