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
  /** Items written: one per PutItem, UpdateItem or DeleteItem, one per item of a batch or transaction. */
  itemWrites(): number;
  /** Write capacity units DynamoDB reported (table and indexes), from ReturnConsumedCapacity=TOTAL. */
  writeUnits(): number;
  /**
   * Statements that succeeded in BatchExecuteStatement requests that reported no capacity (DynamoDB Local's): their
   * write units are counted from the items' size (bench/item-size.ts).
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

/** The items a write request writes: its statements, transaction items or batch requests; 1 for the others. */
function itemsOf(name: string, input: Record<string, unknown>): number {
  const length = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  if (name === 'BatchExecuteStatementCommand') return length(input.Statements);
  if (name === 'TransactWriteItemsCommand') return length(input.TransactItems);
  if (name === 'BatchWriteItemCommand')
    return Object.values((input.RequestItems ?? {}) as Record<string, unknown>).reduce<number>(
      (sum, list) => sum + length(list),
      0,
    );
  return 1;
}

/**
 * Counts every request `client` sends, and asks DynamoDB for the capacity each consumed. Measured on the
 * wire, not read off the code, so a hidden read or an extra write shows up.
 */
export function meterRequests(client: DynamoDBClient): RequestMeter {
  const byCommand = new Map<string, number>();
  let writeUnits = 0;
  let readUnits = 0;
  let itemWrites = 0;
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
      if (WRITES.has(name)) itemWrites += itemsOf(name, input);
      // DynamoDB reports a batch's capacity; DynamoDB Local does not, and then its statements are counted instead.
      if (name === 'BatchExecuteStatementCommand' && output.ConsumedCapacity === undefined)
        statementsWritten += (output.Responses ?? []).filter((response) => !response.Error).length;
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
    itemWrites: () => itemWrites,
    statementsWritten: () => statementsWritten,
    reads: () => sum(READS),
    writeUnits: () => writeUnits,
    readUnits: () => readUnits,
    reset: () => {
      byCommand.clear();
      writeUnits = 0;
      readUnits = 0;
      itemWrites = 0;
      statementsWritten = 0;
    },
  };
}
