import type { AttributeValue, BatchStatementRequest, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { N, names, S, str, iso } from './attribute-values.ts';
import { runIdentity, runKey } from './ledger-keys.ts';
import type { GroupedWrite } from './statement-groups.ts';
import { RunCancelledError, type RunCompletion, RunStatus } from '../runtime/run-ledger.ts';

const FINISH_NAMES = names('status', 'fence', 'finishedAt', 'durationMs', 'leaseExpiresAt', 'checkpoint', 'updatedAt');

/** The completion write; also used inside a domain transaction (see JobContext.completeWith). */
export function completionUpdate(
  tableName: string,
  completion: RunCompletion,
): NonNullable<TransactWriteItem['Update']> {
  return {
    TableName: tableName,
    Key: runKey(completion.key),
    ConditionExpression: '#fence = :fence AND #status = :running',
    UpdateExpression:
      'SET #status = :succeeded, #finishedAt = :at, #updatedAt = :at, #durationMs = :duration REMOVE ' +
      '#leaseExpiresAt, #checkpoint',
    ExpressionAttributeNames: FINISH_NAMES,
    ExpressionAttributeValues: {
      ':fence': N(completion.fence),
      ':running': S(RunStatus.RUNNING),
      ':succeeded': S(RunStatus.SUCCEEDED),
      ':at': S(iso(completion.finishedAt)),
      ':duration': N(completion.durationMs),
    },
  };
}

/** The same write as completionUpdate, in PartiQL: the WHERE beyond the key is its condition. */
function completionStatement(tableName: string, completion: RunCompletion): BatchStatementRequest {
  const key = runKey(completion.key);
  const at = S(iso(completion.finishedAt));
  return {
    Statement:
      `UPDATE "${tableName}" SET "status" = ? SET "finishedAt" = ? SET "updatedAt" = ? SET "durationMs" = ? ` +
      'REMOVE "leaseExpiresAt" REMOVE "checkpoint" WHERE "pk" = ? AND "sk" = ? AND "fence" = ? AND "status" = ?',
    Parameters: [
      S(RunStatus.SUCCEEDED),
      at,
      at,
      N(completion.durationMs),
      key.pk!,
      key.sk!,
      N(completion.fence),
      S(RunStatus.RUNNING),
    ],
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** What a fenced write answers when its condition failed: false, or RunCancelledError for a cancelled run. */
export function refused(old: Record<string, AttributeValue> | undefined): false {
  if (str(old, 'status') === RunStatus.CANCELLED)
    throw new RunCancelledError({ job: str(old, 'job') ?? '', id: str(old, 'id') ?? '' });
  return false;
}

/** Completions as grouped writes: each answers as its fenced UpdateItem would. */
export function groupedCompletions(
  tableName: string,
  alone: (completion: RunCompletion) => Promise<boolean>,
): GroupedWrite<RunCompletion, boolean> {
  return {
    key: (completion) => runIdentity(completion.key),
    statement: (completion) => completionStatement(tableName, completion),
    alone,
    written: () => true,
    failed: (_, error) => (error.Code === 'ConditionalCheckFailed' ? refused(error.Item) : undefined),
  };
}
