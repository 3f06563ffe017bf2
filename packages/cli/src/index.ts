export * from './ops/index.ts';
export * from './commands/index.ts';
