export * from './envelope.ts';
export * from './environment.ts';
export * from './ledger-table.ts';
export * from './output-names.ts';
export * from './runner-state.ts';
export * from './trace-header.ts';
