import { describe, expect, it } from 'vitest';
import { costPerMillionJobs, type JobUsage, type Prices } from '#bench/cost-model';

const prices: Prices = {
  date: '2024-11',
  lambda: { arm64PerGbSecond: 0.0000133334, perMillionRequests: 0.2, platformLogBytesPerInvocation: 350 },
  sqs: { perMillionRequests: 0.4, chunkBytes: 65_536 },
  dynamodb: { perMillionWriteRequestUnits: 0.625, perMillionReadRequestUnits: 0.125 },
  cloudwatchLogs: { perGbIngested: 0.5 },
};

const usage: JobUsage = {
  memoryMb: 1024,
  batchSize: 10,
  msPerBatch: 99.2,
  writeUnitsPerJob: 2,
  readUnitsPerJob: 4,
  sqs: [
    { name: 'SendMessageBatch', perJob: 0.1, bytesPerRequest: 70_000 },
    { name: 'ReceiveMessage', perJob: 0.1, bytesPerRequest: 4_000 },
  ],
  logBytesPerJob: 100,
};

describe('Function: costPerMillionJobs', () => {
  it('prices each measured quantity at its list price', () => {
    const cost = costPerMillionJobs(usage, prices);
    // 100,000 invocations.
    expect(cost.lambdaRequests).toBeCloseTo(0.02, 10);
    // 100,000 × 1 GB × 0.100 s (99.2 ms billed as 100 ms) = 10,000 GB-s.
    expect(cost.lambdaDuration).toBeCloseTo(0.133334, 6);
    // A 70,000-byte batch send is 2 chunks: 200,000 + 100,000 requests.
    expect(cost.sqs).toBeCloseTo(0.12, 10);
    expect(cost.dynamodbWrites).toBeCloseTo(1.25, 10);
    expect(cost.dynamodbReads).toBeCloseTo(0.5, 10);
    // 100 MB printed + 100,000 × 350 B of Lambda's own lines.
    expect(cost.logs).toBeCloseTo((135_000_000 / 1024 ** 3) * 0.5, 10);
    expect(cost.total).toBeCloseTo(0.02 + 0.133334 + 0.12 + 1.25 + 0.5 + (135_000_000 / 1024 ** 3) * 0.5, 6);
  });

  it('bills a request of any size as at least one chunk, and a larger batch as fewer invocations', () => {
    const empty = costPerMillionJobs(
      { ...usage, sqs: [{ name: 'DeleteMessageBatch', perJob: 0.1, bytesPerRequest: 0 }] },
      prices,
    );
    expect(empty.sqs).toBeCloseTo(0.04, 10);
    const bigger = costPerMillionJobs({ ...usage, batchSize: 100 }, prices);
    expect(bigger.lambdaRequests).toBeCloseTo(0.002, 10);
  });
});
