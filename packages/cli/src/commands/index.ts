export * from './cli-args.ts';
export * from './commands.ts';
export * from './exit-codes.ts';
export * from './jobs.ts';
export * from './payload-input.ts';
export * from './text-table.ts';
export * from './drift-output.ts';
