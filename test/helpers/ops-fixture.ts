import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { N, runKey, S } from '@serverless-jobs/runtime/adapters';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { RunStatus } from '@serverless-jobs/runtime/runtime';
import { jobOutputKey, StackOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { JobsOps, type JobsOpsOptions } from '@serverless-jobs/cli/ops';
import type { DeployedSchedule, ScheduleControl, ScheduleRef } from '@serverless-jobs/cli/ops';
import { createQueue, createTable, dynamo, sqs, uniqueName } from '#test/helpers/aws';
import { FakeClock } from '#test/helpers/fake-clock';

/** A ScheduleControl in memory that records what it was asked. */
export class RecordingScheduleControl implements ScheduleControl {
  readonly calls: string[] = [];
  readonly sentAt: { job: string; body: string; at: string }[] = [];
  private readonly deployed = new Map<string, DeployedSchedule>();

  constructor(private readonly jobs: readonly JobDeclaration[]) {}

  async describe(ref: ScheduleRef): Promise<DeployedSchedule> {
    const declared = this.jobs.find((j) => j.name === ref.job)!.schedules.find((s) => s.name === ref.schedule)!;
    return (
      this.deployed.get(ref.name) ?? { state: 'ENABLED', expression: declared.expression, timeZone: declared.timeZone }
    );
  }

  set(ref: string, deployed: DeployedSchedule): void {
    this.deployed.set(ref, deployed);
  }

  async setEnabled(ref: ScheduleRef, enabled: boolean): Promise<void> {
    this.calls.push(`${enabled ? 'resume' : 'pause'} ${ref.name}`);
    this.set(ref.name, { ...(await this.describe(ref)), state: enabled ? 'ENABLED' : 'DISABLED' });
  }

  async trigger(ref: ScheduleRef): Promise<string> {
    this.calls.push(`trigger ${ref.name}`);
    return '2026-11-24T08:00:00Z';
  }

  async update(ref: ScheduleRef, expression: string, timeZone: string): Promise<void> {
    this.calls.push(`update ${ref.name} ${expression} ${timeZone}`);
    this.set(ref.name, { ...(await this.describe(ref)), expression, timeZone });
  }

  async sendAt(job: string, body: string, at: Date): Promise<string> {
    this.sentAt.push({ job, body, at: at.toISOString() });
    return `once-${this.sentAt.length}`;
  }
}

export interface OpsFixture {
  readonly ops: JobsOps;
  readonly clock: FakeClock;
  readonly control: RecordingScheduleControl;
  readonly outputs: Record<string, string>;
  readonly sqs: SQSClient;
  readonly ledger: string;
  readonly queueUrl: (job: string) => string;
  readonly dlqUrl: (job: string) => string;
}

/** Outputs as a deployed stack has them, for fresh emulator queues and a fresh ledger table. */
export async function stackOutputsFor(jobs: readonly JobDeclaration[]): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {
    [tableOutputKey('Ledger')]: await createTable(ledgerTable),
    [StackOutputKey.SCHEDULE_GROUP]: 'serverless-jobs-test',
  };
  for (const job of jobs) {
    const [queue, dlq] = await Promise.all([createQueue(job.name), createQueue(`${job.name}-dlq`)]);
    outputs[jobOutputKey.queueUrl(job.name)] = queue;
    outputs[jobOutputKey.dlqUrl(job.name)] = dlq;
    outputs[jobOutputKey.queueArn(job.name)] = `arn:aws:sqs:us-east-1:000000000000:${queue.split('/').pop()}`;
    outputs[jobOutputKey.dlqArn(job.name)] = `arn:aws:sqs:us-east-1:000000000000:${dlq.split('/').pop()}`;
    for (const s of job.schedules)
      outputs[jobOutputKey.schedule(job.name, s.name)] = uniqueName(`${job.name}-${s.name}`);
  }
  return outputs;
}

/** JobsOps on the emulators with a fake clock and a recording schedule control. */
export async function opsFixture(
  jobs: readonly JobDeclaration[],
  overrides: Partial<JobsOpsOptions> = {},
): Promise<OpsFixture> {
  const outputs = await stackOutputsFor(jobs);
  const clock = new FakeClock();
  const control = new RecordingScheduleControl(jobs);
  const client = sqs();
  const ops = new JobsOps({ sqs: client, dynamodb: dynamo(), outputs, jobs, clock, schedules: control, ...overrides });
  return {
    ops,
    clock,
    control,
    outputs,
    sqs: client,
    ledger: outputs[tableOutputKey('Ledger')]!,
    queueUrl: (job) => outputs[jobOutputKey.queueUrl(job)]!,
    dlqUrl: (job) => outputs[jobOutputKey.dlqUrl(job)]!,
  };
}

/** Visible plus in-flight messages of a queue. */
export async function messageCount(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Receives (and hides for a minute) every message of a queue. */
export async function receiveAll(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

/** Puts dead letters as the runtime does: reason, attempts, dead-at and the DEAD run's fence. */
export async function deadLetters(
  client: SQSClient,
  dlqUrl: string,
  letters: readonly { jobId: string; reason: string; attempts: number; fence?: number }[],
): Promise<void> {
  const queue = new SqsJobQueue(client, { ownQueueUrl: dlqUrl, deadLetterQueueUrl: dlqUrl, queueUrlOf: () => dlqUrl });
  for (const letter of letters) {
    await queue.deadLetter({
      record: { messageId: letter.jobId, body: JSON.stringify({ id: letter.jobId, payload: {} }), attributes: {} },
      jobId: letter.jobId,
      reason: letter.reason,
      attempts: letter.attempts,
      fence: letter.fence ?? 1,
      at: Date.parse('2026-11-24T07:00:00Z'),
    });
  }
}

/** A ledger item as the runtime writes it. */
export async function putRun(
  table: string,
  run: {
    job: string;
    id: string;
    status: RunStatus;
    createdAt: string;
    finishedAt?: string;
    attempt?: number;
    lastError?: string;
  },
): Promise<void> {
  await dynamo().send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ...runKey(run),
        job: S(run.job),
        id: S(run.id),
        status: S(run.status),
        attempt: N(run.attempt ?? 1),
        createdAt: S(run.createdAt),
        finishedAt: S(run.finishedAt ?? run.createdAt),
        ...(run.lastError ? { lastError: S(run.lastError) } : {}),
      },
    }),
  );
}
