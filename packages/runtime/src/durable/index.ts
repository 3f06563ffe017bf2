export * from './callback-failure.ts';
export * from './create-durable-handler.ts';
export * from './create-durable-starter.ts';
export * from './durable-job-context.ts';
export * from './durable-runs.ts';
export * from './durable-start.ts';
export * from './run-durable.ts';
