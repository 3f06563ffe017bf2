import { sendEmailJob } from '#shared/jobs/send-email';
import type { JobUsage, SqsRequestUse } from './cost-model';
import type { ThroughputFigures } from './sections/local-throughput';
import type { RequestFigures } from './sections/runtime-vs-baseline';

/**
 * SQS requests per job on send-email's queue, as the local run measured them, with each request's payload:
 * batch sends of 10, receives carrying a batch's messages, deletes carrying none.
 */
export function sqsUse(throughput: ThroughputFigures): SqsRequestUse[] {
  const perJob = throughput.sqsRequestsPerJob;
  const fill = Math.min(10, throughput.batchSize);
  return [
    { name: 'SendMessageBatch', perJob: perJob.SendMessageBatch ?? 0, bytesPerRequest: throughput.messageBytes * 10 },
    { name: 'ReceiveMessage', perJob: perJob.ReceiveMessage ?? 0, bytesPerRequest: throughput.messageBytes * fill },
    { name: 'DeleteMessageBatch', perJob: perJob.DeleteMessageBatch ?? 0, bytesPerRequest: 0 },
    { name: 'ChangeMessageVisibilityBatch', perJob: perJob.ChangeMessageVisibilityBatch ?? 0, bytesPerRequest: 0 },
  ];
}

/**
 * send-email's use per job with its default settings: DynamoDB and duration from `requests`, SQS and logs
 * from the local run.
 */
export function sendEmailUsage(requests: RequestFigures, throughput: ThroughputFigures): JobUsage {
  return {
    memoryMb: sendEmailJob.memoryMb,
    // Invocations as the local run measured them: a batching window does not always fill a batch.
    batchSize: throughput.invocations.meanSize,
    msPerBatch: requests.invocationMs,
    writeUnitsPerJob: requests.writeUnitsPerJob,
    readUnitsPerJob: requests.readUnitsPerJob,
    sqs: sqsUse(throughput),
    logBytesPerJob: throughput.logBytesPerJob,
  };
}
