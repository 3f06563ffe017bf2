export * from './jobs/index.ts';
export * from './runtime/index.ts';
export * from './contracts/index.ts';
