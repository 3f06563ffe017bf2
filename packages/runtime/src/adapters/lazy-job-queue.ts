import type { DeadLetter, JobQueue, OutgoingJob, VisibilityChange } from '../runtime/job-queue.ts';

/**
 * A JobQueue whose adapter, and with it its SDK client, is loaded on first use. A job that sends to SQS only
 * to retry or dead-letter a record (send-email) thus starts without the SQS client in its cold start.
 * A load that fails is tried again by the next call.
 */
export class LazyJobQueue implements JobQueue {
  private loading: Promise<JobQueue> | undefined;

  constructor(private readonly load: () => Promise<JobQueue>) {}

  /** The loaded queue; the first call starts the load. */
  ready(): Promise<JobQueue> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async send(job: string, jobs: readonly OutgoingJob[]): Promise<void> {
    await (await this.ready()).send(job, jobs);
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    await (await this.ready()).deadLetter(letter);
  }

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    await (await this.ready()).changeVisibility(changes);
  }
}
