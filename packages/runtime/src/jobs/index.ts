export * from './define-job.ts';
export * from './fairness.ts';
export * from './job-declaration.ts';
export * from './table-design.ts';
export * from './table-use.ts';
