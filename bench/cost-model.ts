/** List prices, as kept in bench/prices.json with their source and date. */
export interface Prices {
  readonly date: string;
  readonly lambda: {
    readonly arm64PerGbSecond: number;
    readonly perMillionRequests: number;
    readonly platformLogBytesPerInvocation: number;
  };
  readonly sqs: { readonly perMillionRequests: number; readonly chunkBytes: number };
  readonly dynamodb: { readonly perMillionWriteRequestUnits: number; readonly perMillionReadRequestUnits: number };
  readonly cloudwatchLogs: { readonly perGbIngested: number };
}

/** One kind of SQS request: how many per job, and the payload of each (billed per 64 KB chunk). */
export interface SqsRequestUse {
  readonly name: string;
  readonly perJob: number;
  readonly bytesPerRequest: number;
}

/** What one job uses, as measured. */
export interface JobUsage {
  readonly memoryMb: number;
  /** Records per invocation (a mean where batches are not always full). */
  readonly batchSize: number;
  /** Wall time of one invocation of a full batch; Lambda bills it rounded up to the millisecond. */
  readonly msPerBatch: number;
  readonly writeUnitsPerJob: number;
  readonly readUnitsPerJob: number;
  readonly sqs: readonly SqsRequestUse[];
  /** Bytes the function prints per job (log lines and EMF), before Lambda's own lines. */
  readonly logBytesPerJob: number;
}

/** Dollars per million jobs, by line. */
export interface CostBreakdown {
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly sqs: number;
  readonly dynamodbWrites: number;
  readonly dynamodbReads: number;
  readonly logs: number;
  readonly total: number;
}

const MILLION = 1_000_000;
const GB = 1024 ** 3;

/**
 * The cost of a million jobs at list prices: each line is a quantity of `usage` times a price. Lambda's own
 * log lines per invocation come from `prices` (an assumption, not a measurement).
 */
export function costPerMillionJobs(usage: JobUsage, prices: Prices): CostBreakdown {
  const invocations = MILLION / usage.batchSize;
  const gbSeconds = invocations * (usage.memoryMb / 1024) * (Math.ceil(usage.msPerBatch) / 1000);
  const sqsRequests = usage.sqs.reduce(
    (sum, use) => sum + MILLION * use.perJob * Math.max(1, Math.ceil(use.bytesPerRequest / prices.sqs.chunkBytes)),
    0,
  );
  const logBytes = MILLION * usage.logBytesPerJob + invocations * prices.lambda.platformLogBytesPerInvocation;
  const lines = {
    lambdaRequests: (invocations / MILLION) * prices.lambda.perMillionRequests,
    lambdaDuration: gbSeconds * prices.lambda.arm64PerGbSecond,
    sqs: (sqsRequests / MILLION) * prices.sqs.perMillionRequests,
    dynamodbWrites: usage.writeUnitsPerJob * prices.dynamodb.perMillionWriteRequestUnits,
    dynamodbReads: usage.readUnitsPerJob * prices.dynamodb.perMillionReadRequestUnits,
    logs: (logBytes / GB) * prices.cloudwatchLogs.perGbIngested,
  };
  return { ...lines, total: Object.values(lines).reduce((sum, value) => sum + value, 0) };
}
