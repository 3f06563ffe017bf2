import type { SQSRecord } from 'aws-lambda';

/** One way of running send-email batches: ours or the Powertools baseline, each as its Lambda handler would. */
export interface Workload {
  readonly name: string;
  /** Runs one SQS batch; resolves with how many of its records succeeded. */
  handle(records: readonly SQSRecord[]): Promise<number>;
}

/** A Lambda context for a batch, with the job's full timeout left. */
export function lambdaContext(timeoutMs: number): import('aws-lambda').Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
    memoryLimitInMB: '256',
    awsRequestId: `bench-${deadline}`,
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
