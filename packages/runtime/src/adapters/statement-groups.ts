import {
  BatchExecuteStatementCommand,
  type BatchStatementError,
  type BatchStatementRequest,
  type BatchStatementResponse,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** DynamoDB's limit of statements in one BatchExecuteStatement. */
const MAX_STATEMENTS = 25;

/** One kind of write that may go in a group: as a PartiQL statement, or alone as it always was. */
export interface GroupedWrite<T, R> {
  /** The item's key: two writes of one item never go in the same group. */
  key(write: T): string;
  statement(write: T): BatchStatementRequest;
  /** The write on its own: when nothing waits beside it, and again for a statement that failed for another reason. */
  alone(write: T): Promise<R>;
  /** What a statement that succeeded answers. */
  written(write: T): R;
  /** What a statement that failed answers (it may throw); undefined writes it again alone. */
  failed(write: T, error: BatchStatementError): R | undefined;
}

interface Waiting<T, R> {
  readonly write: T;
  readonly resolve: (answer: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes of one execution environment, sent as a group commit. The writes asked for in the same turn of the event
 * loop (a batch's claims) go together, and so do those that arrive while a group is on its way (its completions):
 * one BatchExecuteStatement of up to 25 statements, at the write units of as many single writes. A write alone goes
 * as its UpdateItem, and none waits longer than the one request ahead of it.
 *
 * Each statement keeps its write's condition and answers as that write would. A statement that failed for another
 * reason (throttled) is written again alone, with the SDK's retries; a request that failed as a whole fails each
 * write in it, as each write alone would have.
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
        const group = this.nextGroup();
        if (group.length === 1) await this.alone(group[0]!);
        else await this.together(group);
      }
    } finally {
      this.busy = false;
    }
  }

  /** The first 25 waiting writes of distinct items, taken out of the queue; a second write of an item waits. */
  private nextGroup(): Waiting<T, R>[] {
    const keys = new Set<string>();
    const group: Waiting<T, R>[] = [];
    for (let index = 0; index < this.waiting.length && group.length < MAX_STATEMENTS; ) {
      const key = this.kind.key(this.waiting[index]!.write);
      if (keys.has(key)) index++;
      else {
        keys.add(key);
        group.push(...this.waiting.splice(index, 1));
      }
    }
    return group;
  }

  private alone(waiting: Waiting<T, R>): Promise<void> {
    return this.kind.alone(waiting.write).then(waiting.resolve, waiting.reject);
  }

  private async together(group: readonly Waiting<T, R>[]): Promise<void> {
    let responses: BatchStatementResponse[];
    try {
      const answer = await this.client.send(
        new BatchExecuteStatementCommand({ Statements: group.map((waiting) => this.kind.statement(waiting.write)) }),
      );
      responses = answer.Responses ?? [];
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    const again: Waiting<T, R>[] = [];
    group.forEach((waiting, index) => {
      const response = responses[index];
      if (!response) again.push(waiting);
      else if (!response.Error) waiting.resolve(this.kind.written(waiting.write));
      else {
        try {
          const answer = this.kind.failed(waiting.write, response.Error);
          if (answer === undefined) again.push(waiting);
          else waiting.resolve(answer);
        } catch (error) {
          waiting.reject(error);
        }
      }
    });
    await Promise.all(again.map((waiting) => this.alone(waiting)));
  }
}
