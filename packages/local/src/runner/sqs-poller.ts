import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalFunction, LocalMapping } from './local-model.ts';
import type { InvokeResult, Sandbox } from './sandbox.ts';
import { failedMessageIds, toSqsEvent } from './sqs-event.ts';

export interface PollerOptions {
  readonly client: SQSClient;
  readonly mapping: LocalMapping;
  readonly fn: LocalFunction;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Concurrent invocations, each in a sandbox of its own. @default the mapping's maximum concurrency */
  readonly lanes?: number;
  readonly startSandbox: () => Promise<Sandbox>;
  readonly report: (event: PollerEvent) => void;
}

export type PollerEvent =
  | {
      readonly kind: 'invoked';
      readonly label: string;
      readonly size: number;
      readonly failed: number;
      readonly ms: number;
    }
  | { readonly kind: 'abandoned'; readonly label: string; readonly size: number; readonly reason: string };

/**
 * Lambda's SQS event source mapping, locally: up to `maxConcurrency` lanes, each long-polling for a batch
 * (batch size, batching window), invoking one sandbox, then deleting what succeeded. Failed and
 * abandoned records are left to SQS, which delivers them again after their visibility timeout.
 */
export class SqsPoller {
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly lanes: Promise<void>[] = [];
  private readonly sandboxes = new Set<Sandbox>();

  /** Lanes this poller runs: the mapping's maximum concurrency, or the runner's cap if lower. */
  readonly laneCount: number;

  constructor(private readonly options: PollerOptions) {
    this.laneCount = Math.min(options.lanes ?? Infinity, options.mapping.maxConcurrency);
    if (!Number.isInteger(this.laneCount) || this.laneCount < 1) {
      throw new Error(
        `${options.fn.label}: lanes must be a whole number of at least 1 (given lanes ` +
          `${String(options.lanes)}, maximum concurrency ${options.mapping.maxConcurrency})`,
      );
    }
  }

  get functionLabel(): string {
    return this.options.fn.label;
  }

  start(): void {
    for (let lane = 0; lane < this.laneCount; lane++) this.lanes.push(this.lane());
  }

  /** Stops polling, lets in-flight invocations finish within `graceMs`, then stops the sandboxes. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    const drained = Promise.all(this.lanes);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await Promise.all([...this.sandboxes].map((sandbox) => sandbox.stop('SIGKILL')));
    await drained;
  }

  get sandboxPids(): number[] {
    return [...this.sandboxes].map((sandbox) => sandbox.pid).filter((pid): pid is number => pid !== undefined);
  }

  private async receiveBatch(): Promise<Message[]> {
    const { mapping, client, queueUrl } = this.options;
    const batch: Message[] = [];
    const windowEnds = Date.now() + mapping.batchingWindowSeconds * 1000;
    while (!this.stopping && batch.length < mapping.batchSize) {
      // Until the batch has its first message, wait long; then keep gathering until the window closes.
      const leftMs = windowEnds - Date.now();
      if (batch.length > 0 && leftMs <= 0) break;
      const waitSeconds = batch.length === 0 ? 20 : Math.floor(leftMs / 1000);
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, mapping.batchSize - batch.length),
          WaitTimeSeconds: Math.min(20, Math.max(0, waitSeconds)),
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      );
      batch.push(...Messages);
      if (mapping.batchingWindowSeconds === 0 && batch.length > 0) break;
      // A short poll that found nothing: wait a little, not spin, for the rest of a window under a second.
      if (Messages.length === 0 && waitSeconds === 0 && batch.length > 0)
        await sleep(Math.min(50, Math.max(0, windowEnds - Date.now())));
    }
    return batch;
  }

  private async lane(): Promise<void> {
    let sandbox: Sandbox | undefined;
    let failing = false;
    while (!this.stopping) {
      try {
        const batch = await this.receiveBatch();
        failing = false;
        if (batch.length === 0) continue;
        if (!sandbox?.alive) {
          for (const gone of [...this.sandboxes].filter((s) => s.exited)) this.sandboxes.delete(gone);
          sandbox = await this.options.startSandbox();
          this.sandboxes.add(sandbox);
        }
        const started = Date.now();
        const result = await sandbox.invoke(
          toSqsEvent(batch, this.options.queueArn),
          this.options.fn.timeoutSeconds * 1000,
        );
        await this.settle(batch, result, Date.now() - started);
      } catch (error) {
        if (this.stopping) break;
        // One line per outage, not one per retry; whatever was received comes back after its visibility timeout.
        if (!failing)
          this.options.report({
            kind: 'abandoned',
            label: this.options.fn.label,
            size: 0,
            reason: (error as Error).message,
          });
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    // A sandbox this lane started while stop() was already under way is stopped here, not left behind.
    await sandbox?.stop('SIGKILL');
  }

  private async settle(batch: readonly Message[], result: InvokeResult, ms: number): Promise<void> {
    const { fn, mapping, client, queueUrl, report } = this.options;
    if (result.kind !== 'ok') {
      const reason =
        result.kind === 'error'
          ? result.error
          : result.kind === 'timeout'
            ? `timed out after ${fn.timeoutSeconds} s`
            : `crashed (exit ${result.code})`;
      report({ kind: 'abandoned', label: fn.label, size: batch.length, reason });
      return;
    }
    const failed = failedMessageIds(
      result.result,
      batch.map((message) => message.MessageId ?? ''),
      mapping.reportBatchItemFailures,
    );
    const succeeded = batch.filter((message) => !failed.has(message.MessageId ?? ''));
    for (let i = 0; i < succeeded.length; i += 10) {
      const group = succeeded.slice(i, i + 10);
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    report({ kind: 'invoked', label: fn.label, size: batch.length, failed: failed.size, ms });
  }
}
