// Only `export *` lines here. A named re-export (`export { x } from …`) makes esbuild count this file as used by
// every bundle that imports x, and its code splitting then follows each import of a used file: the SQS adapter,
// which functions load with `import()` on first use, would join those bundles' init (+29 KB in process-order's).
export * from './attribute-map.ts';
export * from './attribute-values.ts';
export * from './client-config.ts';
export * from './dynamodb-batch-delete.ts';
export * from './dynamodb-occurrence-ledger.ts';
export * from './dynamodb-run-cancel.ts';
export * from './dynamodb-run-ledger.ts';
export * from './dynamodb-schedule-leases.ts';
export * from './lazy-job-queue.ts';
export * from './ledger-keys.ts';
export * from './sqs-job-queue.ts';
export * from './dynamodb-durable-runs.ts';
export * from './dynamodb-job-runs.ts';
