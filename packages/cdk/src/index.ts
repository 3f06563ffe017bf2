export * from './constructs/index.ts';
export * from './aspects/index.ts';
export * from './config/index.ts';
export * from './outputs/index.ts';
