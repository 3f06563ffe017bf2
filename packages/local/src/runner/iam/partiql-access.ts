/** What one PartiQL statement asks of IAM: its verb's action, on the table or the index it names. */
export interface StatementAccess {
  readonly action: string;
  readonly table: string;
  readonly index?: string;
}

const ACTIONS: Readonly<Record<string, string>> = {
  INSERT: 'dynamodb:PartiQLInsert',
  UPDATE: 'dynamodb:PartiQLUpdate',
  DELETE: 'dynamodb:PartiQLDelete',
  SELECT: 'dynamodb:PartiQLSelect',
};

const NAME = `("(?:[^"]|"")+"|[A-Za-z0-9_-]+)`;
const STATEMENT = new RegExp(
  String.raw`^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|SELECT\s[\s\S]*?\bFROM)\s+${NAME}(?:\s*\.\s*${NAME})?`,
  'i',
);

const unquote = (name: string): string => (name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);

/**
 * The action and resource of a PartiQL statement, as IAM checks it (docs: "IAM security policies with PartiQL for
 * DynamoDB"): `INSERT INTO t` is dynamodb:PartiQLInsert on t, `UPDATE t` PartiQLUpdate, `DELETE FROM t`
 * PartiQLDelete, and `SELECT … FROM t[.index]` PartiQLSelect on the table or the index. Undefined for any other.
 */
export function statementAccess(statement: string): StatementAccess | undefined {
  const match = STATEMENT.exec(statement);
  if (!match) return undefined;
  const verb = match[1]!.split(/\s/)[0]!.toUpperCase();
  const index = match[3] === undefined ? undefined : unquote(match[3]);
  return { action: ACTIONS[verb]!, table: unquote(match[2]!), ...(index === undefined ? {} : { index }) };
}
