import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** A number's stored size: a byte per two significant digits, and one more (DynamoDB's item size rules). */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^[-+]?/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+|0+$/g, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + utf8(name) + valueBytes(v), 0);
  return 0;
}

/** An item's size as DynamoDB bills a write of it: its attributes' names and values. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** The largest item of a table, read with a scan (unmetered: on a client of its own). */
export async function largestItemBytes(client: DynamoDBClient, table: string): Promise<number> {
  let largest = 0;
  for await (const page of paginateScan({ client }, { TableName: table }))
    for (const item of page.Items ?? []) largest = Math.max(largest, itemBytes(item));
  return largest;
}

/**
 * Write units of one statement of a BatchExecuteStatement, which DynamoDB Local reports none for: an update is
 * billed for the larger of the item before and after, in 1 KB units, so a table whose largest item is under 1 KB
 * pays 1 per statement.
 */
export const unitsPerStatement = (largestBytes: number): number => Math.max(1, Math.ceil(largestBytes / 1024));
