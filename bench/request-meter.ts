import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'BatchExecuteStatementCommand',
]);
const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

interface Capacity {
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
}

/** What a client sent, counted by an SDK middleware: requests by command, and the capacity DynamoDB reported. */
export interface RequestMeter {
  readonly byCommand: Map<string, number>;
  writes(): number;
  reads(): number;
  /** Items written: one per write request, and one per statement of a BatchExecuteStatement. */
  itemWrites(): number;
  /** Write capacity units DynamoDB reported (table and indexes), from ReturnConsumedCapacity=TOTAL. */
  writeUnits(): number;
  /**
   * Statements of BatchExecuteStatement requests that succeeded: DynamoDB Local reports no capacity for them, so
   * their write units are counted from the items' size (bench/item-size.ts).
   */
  statementsWritten(): number;
  readUnits(): number;
  reset(): void;
}

function unitsOf(consumed: unknown): number {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  return list.reduce(
    (sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)),
    0,
  );
}

/**
 * Counts every request `client` sends, and asks DynamoDB for the capacity each consumed. Measured on the
 * wire, not read off the code, so a hidden read or an extra write shows up.
 */
export function meterRequests(client: DynamoDBClient): RequestMeter {
  const byCommand = new Map<string, number>();
  let writeUnits = 0;
  let readUnits = 0;
  let statements = 0;
  let statementsWritten = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      const input = args.input as Record<string, unknown>;
      if (WRITES.has(name) || READS.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: unknown; Responses?: { Error?: unknown }[] };
      const units = unitsOf(output.ConsumedCapacity);
      if (name === 'BatchExecuteStatementCommand') {
        statements += (input.Statements as unknown[] | undefined)?.length ?? 0;
        statementsWritten += (output.Responses ?? []).filter((response) => !response.Error).length;
      }
      if (WRITES.has(name)) writeUnits += units;
      else if (READS.has(name)) readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'requestMeter' },
  );
  const sum = (kinds: Set<string>) =>
    [...byCommand].filter(([name]) => kinds.has(name)).reduce((total, [, n]) => total + n, 0);
  return {
    byCommand,
    writes: () => sum(WRITES),
    itemWrites: () => sum(WRITES) - (byCommand.get('BatchExecuteStatementCommand') ?? 0) + statements,
    statementsWritten: () => statementsWritten,
    reads: () => sum(READS),
    writeUnits: () => writeUnits,
    readUnits: () => readUnits,
    reset: () => {
      byCommand.clear();
      writeUnits = 0;
      readUnits = 0;
      statements = 0;
      statementsWritten = 0;
    },
  };
}
