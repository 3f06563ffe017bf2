export * from './stack-outputs.ts';
