import {
  BatchExecuteStatementCommand,
  type BatchStatementError,
  type BatchStatementRequest,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** DynamoDB's limit of statements in one BatchExecuteStatement. */
const MAX_STATEMENTS = 25;

/** What `failed` answers for a statement to be written again alone. */
export const ALONE = Symbol('alone');

/** One kind of write that may go in a group: as a PartiQL statement, or alone as it always was. */
export interface GroupedWrite<T, R> {
  /** The item's key: two writes of one item never go in the same round. */
  key(write: T): string;
  statement(write: T): BatchStatementRequest;
  /** The write on its own: when nothing waits beside it, and again for a statement that could not be written. */
  alone(write: T): Promise<R>;
  /** What a statement that succeeded answers. */
  written(write: T): R;
  /**
   * What a statement that failed answers (it may throw): ALONE to write it again alone, undefined to leave it to the
   * group (a transient code is written again alone; any other fails the write, naming the code).
   */
  failed(write: T, error: BatchStatementError): R | typeof ALONE | undefined;
}

/** A statement's failure that a write alone, with the SDK's retries, may get past. */
const TRANSIENT_CODES = new Set([
  'InternalServerError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
  'ThrottlingError',
  'TransactionConflict',
]);
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
]);

/** A request that failed as a whole for a passing reason (a 5xx, throttling, the network), after the SDK's retries. */
function transient(error: unknown): boolean {
  const failure = error as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  return (
    failure.$fault === 'server' ||
    TRANSIENT_ERRORS.has(failure.name ?? '') ||
    failure.$metadata?.httpStatusCode === undefined
  );
}

/** A statement of a group refused for a reason of its own (AccessDenied, ValidationError, …). */
export class StatementFailedError extends Error {
  constructor(code: string, message: string | undefined) {
    super(`${code}: ${message ?? 'the statement failed'}`);
    this.name = code;
  }
}

interface Waiting<T, R> {
  readonly write: T;
  readonly resolve: (answer: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes of one execution environment, sent as a group commit. The writes asked for in the same turn of the event
 * loop (a batch's claims) go together, and so do those that arrive while a round is on its way (its completions):
 * one BatchExecuteStatement per 25, all at once, at the write units of as many single writes. A write alone goes as
 * its UpdateItem, and none waits longer than the round ahead of it.
 *
 * Each statement keeps its write's condition and answers as that write would. Each write fails on its own, as it
 * would alone: a statement that cannot be built, that failed for a passing reason (throttled), or whose request
 * failed for one (a 5xx, the network), is written again alone, with the SDK's retries; a request refused as a whole
 * for any other reason (AccessDenied) fails each write in it.
 */
export class StatementGroups<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private busy = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly kind: GroupedWrite<T, R>,
  ) {}

  write(write: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const round = this.nextRound();
        const groups: Waiting<T, R>[][] = [];
        for (let i = 0; i < round.length; i += MAX_STATEMENTS) groups.push(round.slice(i, i + MAX_STATEMENTS));
        await Promise.all(groups.map((group) => (group.length === 1 ? this.alone(group[0]!) : this.together(group))));
      }
    } finally {
      this.busy = false;
    }
  }

  /** Every waiting write of a distinct item, taken out of the queue; a second write of an item waits a round. */
  private nextRound(): Waiting<T, R>[] {
    const keys = new Set<string>();
    const round: Waiting<T, R>[] = [];
    const later: Waiting<T, R>[] = [];
    for (const waiting of this.waiting.splice(0)) {
      const key = this.kind.key(waiting.write);
      if (keys.has(key)) later.push(waiting);
      else {
        keys.add(key);
        round.push(waiting);
      }
    }
    this.waiting.push(...later);
    return round;
  }

  /** Settles the write by its own request; never throws or rejects. */
  private alone(waiting: Waiting<T, R>): Promise<void> {
    try {
      return this.kind.alone(waiting.write).then(waiting.resolve, waiting.reject);
    } catch (error) {
      waiting.reject(error);
      return Promise.resolve();
    }
  }

  private async together(group: readonly Waiting<T, R>[]): Promise<void> {
    const sent: Waiting<T, R>[] = [];
    const statements: BatchStatementRequest[] = [];
    const again: Waiting<T, R>[] = [];
    for (const waiting of group) {
      try {
        statements.push(this.kind.statement(waiting.write));
        sent.push(waiting);
      } catch {
        again.push(waiting); // its own write fails (or not) by itself, alone
      }
    }
    if (sent.length === 1) again.push(...sent.splice(0));
    if (sent.length > 0) {
      try {
        const { Responses: responses = [] } = await this.client.send(
          new BatchExecuteStatementCommand({ Statements: statements }),
        );
        sent.forEach((waiting, index) => {
          if (this.answer(waiting, responses[index]?.Error, responses[index] !== undefined)) again.push(waiting);
        });
      } catch (error) {
        if (transient(error)) again.push(...sent);
        else for (const waiting of sent) waiting.reject(error);
      }
    }
    // Written alone without holding up the next round: each settles its own write.
    for (const waiting of again) void this.alone(waiting);
  }

  /** Settles the write from its statement's answer; true when it is to be written again alone. */
  private answer(waiting: Waiting<T, R>, error: BatchStatementError | undefined, answered: boolean): boolean {
    try {
      if (!answered) return true;
      if (!error) {
        waiting.resolve(this.kind.written(waiting.write));
        return false;
      }
      const answer = this.kind.failed(waiting.write, error);
      if (answer === ALONE) return true;
      if (answer !== undefined) waiting.resolve(answer);
      else if (TRANSIENT_CODES.has(error.Code ?? '')) return true;
      else waiting.reject(new StatementFailedError(error.Code ?? 'Unknown', error.Message));
    } catch (thrown) {
      waiting.reject(thrown);
    }
    return false;
  }
}
