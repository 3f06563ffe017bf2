export * from './runner/index.ts';
export * from './dashboard/index.ts';
