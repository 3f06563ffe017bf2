import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbRunLedger } from '@serverless-jobs/runtime/adapters';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import type { EmailSender } from '#shared/domain/email';
import { sendEmailJob } from '#shared/jobs/send-email';
import { systemClock } from '@serverless-jobs/runtime/runtime';
import type { JobLogger, JobMetrics } from '@serverless-jobs/runtime/runtime';
import { processBatch } from '@serverless-jobs/runtime/runtime';
import type { RuntimeDeps } from '@serverless-jobs/runtime/runtime';
import { sendEmail } from '#functions/send-email/send-email';
import { lambdaContext, type Workload } from './workload';

const quiet: JobLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Metrics summed in memory: the runtime still makes every call it makes on Lambda, without printing EMF. */
class SummedMetrics implements JobMetrics {
  readonly totals = new Map<string, number>();
  count(name: string, value = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  milliseconds(name: string, value: number): void {
    this.count(name, value);
  }
}

export interface OurRuntimeOptions {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly ledgerTable: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly sender: EmailSender;
  /** @default send-email's declaration */
  readonly job?: RuntimeDeps['job'];
}

/**
 * Our runtime, as createLambdaHandler wires it: a claim and a completion per job, a batch's claims written
 * together, and its completions in a few groups.
 */
export function ourRuntime(options: OurRuntimeOptions): Workload & { readonly metrics: SummedMetrics } {
  const job = options.job ?? sendEmailJob;
  const metrics = new SummedMetrics();
  const queue = new SqsJobQueue(options.sqs, {
    ownQueueUrl: options.queueUrl,
    deadLetterQueueUrl: options.dlqUrl,
    queueUrlOf: () => options.queueUrl,
  });
  return {
    name: 'serverless-jobs',
    metrics,
    async handle(records) {
      // One per invocation, as an execution environment runs one batch at a time: the completions it writes together
      // are its own batch's, never those of the batches running beside it here.
      const ledger = new DynamoDbRunLedger(options.dynamodb, options.ledgerTable);
      const context = lambdaContext(job.timeoutSeconds * 1000);
      const { outcomes } = await processBatch(
        {
          job,
          handler: (payload, ctx) => sendEmail(payload as Parameters<typeof sendEmail>[0], ctx, options.sender),
          settings: {},
          ledger,
          queue,
          clock: systemClock,
          logger: { ...quiet, child: () => quiet },
          metrics,
          remainingMs: () => context.getRemainingTimeInMillis(),
        },
        records,
      );
      return outcomes.filter((outcome) => outcome.kind === 'ack' && outcome.result === 'SUCCEEDED').length;
    },
  };
}
