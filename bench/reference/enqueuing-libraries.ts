import { handler as libraries } from './required-libraries';

/**
 * The libraries floor (required-libraries.ts) plus the SQS client, loaded at init as the runtime loads it for a job
 * that enqueues another one (`loadsQueueAtInit`): imported in a chunk of its own, not awaited. Bundled like a
 * function: what is left of an enqueuing job's load time above this is the framework's own code.
 */
const queue = import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient({}));
queue.catch(() => undefined);

export const handler = async (event: unknown): Promise<number> => {
  await queue;
  return libraries(event);
};
