import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import type { EmailSender } from '#shared/domain/email';
import { emulatorEnvironment, type EmulatorSet, startEmulators } from '#infra/local/emulators';

/** The emulators a benchmark run starts (DynamoDB Local in memory, fauxqs, SES), with clients on them. */
export interface BenchEnv {
  readonly emulators: EmulatorSet;
  readonly environment: Record<string, string>;
  dynamodb(): DynamoDBClient;
  sqs(): SQSClient;
  readonly sender: EmailSender;
  clearEmails(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const emulators = await startEmulators();
  const environment = emulatorEnvironment(emulators);
  const region = environment.AWS_REGION!;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = () => new DynamoDBClient({ endpoint: emulators.dynamodb.endpoint, region, credentials });
  const sqs = () => new SQSClient({ endpoint: emulators.sqs.endpoint, region, credentials, useQueueUrlAsEndpoint: false });
  const sender = new SesEmailSender(new SESClient({ endpoint: emulators.ses.endpoint, region, credentials }), 'jobs@example.com');
  return {
    emulators,
    environment,
    dynamodb,
    sqs,
    sender,
    clearEmails: async () => void (await fetch(`${emulators.ses.endpoint}/clear-store`, { method: 'POST' })),
    stop: () => emulators.stop(),
  };
}
