export * from './croner-pattern.ts';
export * from './occurrences.ts';
export * from './schedule-expression.ts';
export * from './schedule-syntax.ts';
export * from './wall-time.ts';
