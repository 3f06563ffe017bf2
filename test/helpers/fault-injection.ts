/** A request as the middleware sees it: the command's name and its input. */
export interface FaultTarget {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export interface FaultOptions {
  /** Which requests may fail. */
  readonly match: (target: FaultTarget) => boolean;
  /** How many matching requests fail (the rest pass). @default 1 */
  readonly times?: number;
  /**
   * `before`: the request never reaches the service (nothing is written). `after`: the service
   * processes it and the caller gets the error anyway: a crash or a lost response after the write.
   * @default 'before'
   */
  readonly when?: 'before' | 'after';
  /**
   * `outside-retries`: injected before the SDK's retry middleware, so it surfaces at once.
   * `inside-retries`: each retry attempt of the SDK may meet it, so a single fault is absorbed.
   * @default 'outside-retries'
   */
  readonly layer?: 'outside-retries' | 'inside-retries';
  /** @default a retryable 500 InternalServerError */
  readonly error?: () => Error;
}

/** A retryable service error as the SDK builds one (name, HTTP status, fault). */
export function serviceError(name = 'InternalServerError', httpStatusCode = 500, message = `injected ${name}`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 1 },
  });
}

/** A DynamoDB throttling error (retryable, HTTP 400). */
export const throttlingError = (): Error =>
  serviceError(
    'ProvisionedThroughputExceededException',
    400,
    'injected: the level of configured provisioned throughput for the table was exceeded',
  );

/** Adds an SDK middleware to `client` that throws for the first `times` matching requests; counts what it did. */
export function injectFault(
  client: { readonly middlewareStack: object },
  options: FaultOptions,
): { readonly thrown: () => number; readonly seen: () => number } {
  let thrown = 0;
  let seen = 0;
  const times = options.times ?? 1;
  const make = options.error ?? (() => serviceError());
  const inside = (options.layer ?? 'outside-retries') === 'inside-retries';
  (client.middlewareStack as unknown as AnyStack).add(
    (next: Next, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      const target: FaultTarget = { command: context.commandName ?? '', input: args.input };
      if (!options.match(target)) return next(args);
      seen++;
      const fail = thrown < times;
      if (fail) thrown++;
      if (fail && (options.when ?? 'before') === 'before') throw make();
      const result = await next(args);
      if (fail) throw make();
      return result;
    },
    inside
      ? { step: 'deserialize', name: `fault-${Math.random().toString(36).slice(2)}`, priority: 'low' }
      : { step: 'initialize', name: `fault-${Math.random().toString(36).slice(2)}` },
  );
  return { thrown: () => thrown, seen: () => seen };
}

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface AnyStack {
  add(
    middleware: (
      next: Next,
      context: { commandName?: string },
    ) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
    options: Record<string, unknown>,
  ): void;
}

/** The statements of a BatchExecuteStatement request, empty for any other. */
const statementsOf = ({ command, input }: FaultTarget): string[] =>
  command === 'BatchExecuteStatementCommand'
    ? ((input.Statements ?? []) as { Statement?: string }[]).map((one) => one.Statement ?? '')
    : [];

/**
 * The run ledger's writes, told apart by their condition (see packages/runtime/src/adapters/dynamodb-run-ledger.ts),
 * alone or in a group of statements (statement-groups.ts): a fault in a group fails every write in it.
 */
export const ledgerWrite = {
  claim: (target: FaultTarget): boolean =>
    (target.command === 'UpdateItemCommand' &&
      String(target.input.ConditionExpression ?? '').includes(
        'attribute_not_exists(#pk) OR #status IN (:failed, :pending)',
      )) ||
    statementsOf(target).some((statement) => statement.startsWith('INSERT INTO')),
  completion: (target: FaultTarget): boolean =>
    (target.command === 'UpdateItemCommand' &&
      String(target.input.UpdateExpression ?? '').startsWith('SET #status = :succeeded')) ||
    statementsOf(target).some((statement) => statement.includes('SET "status" = ? SET "finishedAt" = ?')),
  transaction: ({ command }: FaultTarget): boolean => command === 'TransactWriteItemsCommand',
};
