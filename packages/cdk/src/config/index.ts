export * from './context-override-error.ts';
export * from './context-value.ts';
export * from './resolve-jobs.ts';
