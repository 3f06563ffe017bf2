import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SESClient, type SESClientConfig } from '@aws-sdk/client-ses';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import type { EmailSender } from '#shared/domain/email';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  type Emulator,
  killOnExit,
  startDynamoDbLocal,
  startEmulatorSet,
  startFauxqs,
  stopChild,
} from '@serverless-jobs/local/runner';

/** The emulators a benchmark run starts (DynamoDB Local in memory, fauxqs, SES), with clients on them. */
export interface BenchEnv {
  /** DynamoDB Local, for the end-to-end runs to share once the in-process runs have warmed it up. */
  readonly dynamodbLocal: Emulator;
  /** A client with `config` (the runtime's `runtimeClientConfig` for our side, the SDK's defaults for the baseline). */
  dynamodb(config?: DynamoDBClientConfig): DynamoDBClient;
  sqs(config?: SQSClientConfig): SQSClient;
  sender(config?: SESClientConfig): EmailSender;
  clearEmails(): Promise<void>;
  stop(): Promise<void>;
}

/** The SES emulator in a child process (bench/ses-server.ts), on loopback, stopped by its PID. */
async function startSesProcess(): Promise<Emulator> {
  const child = fork(fileURLToPath(new URL('./ses-server.ts', import.meta.url)), [], {
    // As npm run bench runs: the workspace packages from their sources.
    execArgv: ['--conditions=@serverless-jobs/source', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  killOnExit(child);
  const settled = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    settled.abort();
  }, 30_000);
  const exited = once(child, 'exit', { signal: settled.signal }).then(() => {
    throw new Error('the SES emulator exited before it listened');
  });
  exited.catch(() => {}); // settled either way below; the abort in `finally` must not surface as unhandled
  try {
    const [line] = (await Promise.race([once(child.stdout!, 'data', { signal: settled.signal }), exited])) as [Buffer];
    return { name: 'ses', endpoint: line.toString().trim(), pid: child.pid!, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw timedOut ? new Error('the SES emulator did not listen within 30 s') : error;
  } finally {
    clearTimeout(timer);
    settled.abort();
  }
}

/**
 * DynamoDB Local (Java) and SES each in a process of their own, as the remote services they stand for;
 * fauxqs in this process (the runtime's SQS calls are off the measured path: no job here fails).
 */
export async function startBenchEnv(): Promise<BenchEnv> {
  const emulators = await startEmulatorSet([startDynamoDbLocal(), startFauxqs(), startSesProcess()]);
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = (config: DynamoDBClientConfig = {}) =>
    new DynamoDBClient({ ...config, endpoint: emulators.dynamodb.endpoint, region, credentials });
  const sqs = (config: SQSClientConfig = {}) =>
    new SQSClient({ ...config, endpoint: emulators.sqs.endpoint, region, credentials, useQueueUrlAsEndpoint: false });
  const sender = (config: SESClientConfig = {}) =>
    new SesEmailSender(
      new SESClient({ ...config, endpoint: emulators.ses.endpoint, region, credentials }),
      'jobs@example.com',
    );
  return {
    dynamodbLocal: emulators.dynamodb,
    dynamodb,
    sqs,
    sender,
    clearEmails: async () => void (await fetch(`${emulators.ses.endpoint}/clear-store`, { method: 'POST' })),
    stop: () => emulators.stop(),
  };
}
