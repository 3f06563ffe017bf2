import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** Counts the requests a client sends, by command, with an SDK middleware: measured, not read off the code. */
export function countRequests(client: DynamoDBClient): { readonly byCommand: Map<string, number>; writes(): number } {
  const byCommand = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'requestCounter' },
  );
  return { byCommand, writes: () => [...byCommand].filter(([name]) => WRITES.has(name)).reduce((sum, [, n]) => sum + n, 0) };
}
