export * from './cfn-lookup.ts';
export * from './job-safety-aspect.ts';
