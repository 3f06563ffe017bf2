import { FairnessKeyError, messageGroupOf } from '../jobs/fairness.ts';
import type { JobDeclaration } from '../jobs/job-declaration.ts';
import { PermanentJobError } from './errors.ts';

/** A message's group: its key where `job` declares fairness; a key that cannot be one is a permanent error. */
export function groupOf(job: JobDeclaration, payload: unknown): string | undefined {
  try {
    return messageGroupOf(job, payload);
  } catch (error) {
    if (error instanceof FairnessKeyError)
      throw new PermanentJobError(`Refused to enqueue ${job.name}: ${error.message}`);
    throw error;
  }
}
