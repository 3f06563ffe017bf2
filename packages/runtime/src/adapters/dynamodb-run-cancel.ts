import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, names, S, str, ttlSeconds } from './attribute-values.ts';
import { runKey } from './ledger-keys.ts';
import { type RunKey, RunStatus } from '../runtime/run-ledger.ts';
import { DAY_MS } from '../runtime/runtime-deps.ts';

/** What a cancel did: the status it ended (`QUEUED`: no run yet), or the finished status it left alone. */
export type CancelAnswer =
  | {
      readonly cancelled: true;
      readonly was: RunStatus | 'QUEUED';
      /** A durable run's execution (its ARN), and the callback it was waiting for, if any: what is left to stop. */
      readonly execution?: { readonly arn?: string; readonly callbackId?: string };
      /**
       * What Lambda did not find when the cancel went on to a durable run's execution: the callback it waited for
       * (answered already, or its execution ended), or the execution itself (it ended).
       */
      readonly notFound?: 'callback' | 'execution';
      /** Its execution could not be stopped now (npm start's runner cannot): it stops at its next step. */
      readonly stopsAtNextStep?: boolean;
    }
  | { readonly cancelled: false; readonly status: RunStatus; readonly finishedAt?: string };

/**
 * Cancels a run that has not finished, as an operator: one conditional write marks it CANCELLED. A queued run (no
 * item yet, or PENDING, or FAILED waiting for its retry) never starts: its claim finds CANCELLED and acknowledges
 * the message. A RUNNING one stops at its next ledger write (checkpoint, progress, enqueue, completion): each
 * finds CANCELLED and throws RunCancelledError. A finished run (SUCCEEDED, DEAD, SKIPPED, CANCELLED) is left as it
 * is. `retentionDays` is the job's ledger retention, for an item the cancel creates.
 */
export async function cancelRun(
  client: DynamoDBClient,
  tableName: string,
  key: RunKey,
  now: number,
  retentionDays: number,
): Promise<CancelAnswer> {
  const at = S(new Date(now).toISOString());
  try {
    const { Attributes } = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: runKey(key),
        ConditionExpression: 'attribute_not_exists(#pk) OR #status IN (:pending, :failed, :running)',
        UpdateExpression:
          'SET #status = :cancelled, #job = :job, #id = :id, #createdAt = if_not_exists(#createdAt, :at), ' +
          '#updatedAt = :at, #finishedAt = :at, #reason = :reason, #attempt = if_not_exists(#attempt, :zero), ' +
          '#expiresAt = if_not_exists(#expiresAt, :ttl) REMOVE #leaseExpiresAt, #callback',
        ExpressionAttributeNames: names(
          'pk',
          'status',
          'job',
          'id',
          'createdAt',
          'updatedAt',
          'finishedAt',
          'reason',
          'attempt',
          'expiresAt',
          'leaseExpiresAt',
          'callback',
        ),
        ExpressionAttributeValues: {
          ':pending': S(RunStatus.PENDING),
          ':failed': S(RunStatus.FAILED),
          ':running': S(RunStatus.RUNNING),
          ':cancelled': S(RunStatus.CANCELLED),
          ':job': S(key.job),
          ':id': S(key.id),
          ':at': at,
          ':reason': S('cancelled by an operator'),
          ':zero': N(0),
          ':ttl': N(ttlSeconds(now + retentionDays * DAY_MS)),
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const was = (str(Attributes, 'status') as RunStatus | undefined) ?? 'QUEUED';
    const arn = str(Attributes, 'executionArn');
    const callbackId = str(Attributes?.callback?.M, 'id');
    if (arn === undefined && callbackId === undefined) return { cancelled: true, was };
    return { cancelled: true, was, execution: { ...(arn && { arn }), ...(callbackId && { callbackId }) } };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const old = (error as { Item?: Record<string, AttributeValue> }).Item;
    const status = (str(old, 'status') as RunStatus | undefined) ?? RunStatus.SUCCEEDED;
    return { cancelled: false, status, finishedAt: str(old, 'finishedAt') };
  }
}
