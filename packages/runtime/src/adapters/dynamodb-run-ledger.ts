import {
  type AttributeValue,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, names, num, S, str, iso, ttlSeconds } from './attribute-values.ts';
import {
  type ClaimRequest,
  type ClaimResult,
  type RunCompletion,
  type RunFailure,
  type RunKey,
  type RunLedger,
  type RunProgress,
  type RunRejection,
  REJECTED_FENCE,
  RunStatus,
  type ScheduleLeases,
} from '../runtime/run-ledger.ts';
import { groupedFirstClaims } from './dynamodb-claims.ts';
import { completionUpdate, groupedCompletions, refused } from './dynamodb-completions.ts';
import { StatementGroups } from './statement-groups.ts';
import { DynamoDbScheduleLeases } from './dynamodb-schedule-leases.ts';
import { runKey } from './ledger-keys.ts';

/** The completion write, for a domain transaction (JobContext.completeWith); exported here, see index.ts. */
export { completionUpdate };

/** How soon a claim refused without the item it found is tried again: as long as a lease outlives its run. */
const UNKNOWN_STATE_RETRY_MS = 30_000;

/**
 * The run ledger in one DynamoDB table: a single conditional write claims a run, a single fenced
 * write finishes it. Failed and dead runs keep their error history. The first claims of a batch, and the
 * completions that finish together, go as statements of one request (StatementGroups), each with its own condition.
 */
export class DynamoDbRunLedger implements RunLedger {
  readonly leases: ScheduleLeases;
  private readonly firstClaims: StatementGroups<ClaimRequest, ClaimResult>;
  private readonly completions: StatementGroups<RunCompletion, boolean>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.leases = new DynamoDbScheduleLeases(client, tableName);
    this.firstClaims = new StatementGroups(
      client,
      groupedFirstClaims(tableName, (request) => this.tryClaim(request, false)),
    );
    this.completions = new StatementGroups(
      client,
      groupedCompletions(tableName, (completion) => this.fenced(completionUpdate(tableName, completion))),
    );
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    if (request.redriveOfFence !== undefined) {
      const redriven = await this.tryClaim(request, true);
      if (redriven.outcome === 'claimed') return redriven;
    }
    return request.firstDelivery && request.redriveOfFence === undefined
      ? this.firstClaims.write(request)
      : this.tryClaim(request, false);
  }

  private async tryClaim(request: ClaimRequest, redrive: boolean): Promise<ClaimResult> {
    const values: Record<string, AttributeValue> = {
      ':running': S(RunStatus.RUNNING),
      ':job': S(request.key.job),
      ':id': S(request.key.id),
      ':one': N(1),
      ':zero': N(0),
      ':lease': N(request.leaseExpiresAt),
      ':startedAt': S(iso(request.now)),
      ':ttl': N(ttlSeconds(request.expiresAt)),
    };
    const sets = [
      '#status = :running',
      '#job = :job',
      '#id = :id',
      '#leaseExpiresAt = :lease',
      '#startedAt = :startedAt',
      '#updatedAt = :startedAt',
      '#createdAt = if_not_exists(#createdAt, :startedAt)',
      '#expiresAt = :ttl',
      '#fence = if_not_exists(#fence, :zero) + :one',
    ];
    const attributeNames = [
      'status',
      'job',
      'id',
      'leaseExpiresAt',
      'startedAt',
      'updatedAt',
      'createdAt',
      'expiresAt',
      'fence',
      'attempt',
    ];
    if (request.enqueuedAt !== undefined) {
      sets.push('#enqueuedAt = if_not_exists(#enqueuedAt, :enqueuedAt)');
      values[':enqueuedAt'] = S(iso(request.enqueuedAt));
      attributeNames.push('enqueuedAt');
    }
    if (request.traceId !== undefined) {
      sets.push('#traceId = :traceId');
      values[':traceId'] = S(request.traceId);
      attributeNames.push('traceId');
    }
    if (request.occurrence) {
      sets.push('#schedule = :schedule', '#occurrence = :occurrence');
      values[':schedule'] = S(request.occurrence.schedule);
      values[':occurrence'] = S(request.occurrence.time);
      attributeNames.push('schedule', 'occurrence');
    }
    let condition: string;
    let remove = '';
    if (redrive) {
      condition = '#status = :dead AND #deadFence = :deadFence';
      sets.push('#attempt = :one', '#redrives = if_not_exists(#redrives, :zero) + :one');
      remove = ' REMOVE #deadFence';
      values[':dead'] = S(RunStatus.DEAD);
      values[':deadFence'] = N(request.redriveOfFence ?? -1);
      attributeNames.push('deadFence', 'redrives');
    } else {
      condition =
        'attribute_not_exists(#pk) OR #status IN (:failed, :pending) OR (#status = :running AND ' +
        '#leaseExpiresAt < :now)';
      sets.push('#attempt = if_not_exists(#attempt, :zero) + :one');
      values[':failed'] = S(RunStatus.FAILED);
      values[':pending'] = S(RunStatus.PENDING);
      values[':now'] = N(request.now);
      attributeNames.push('pk');
    }
    const input: UpdateItemCommandInput = {
      TableName: this.tableName,
      Key: runKey(request.key),
      ConditionExpression: condition,
      UpdateExpression: `SET ${sets.join(', ')}${remove}`,
      ExpressionAttributeNames: names(...attributeNames),
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    try {
      const { Attributes: item } = await this.client.send(new UpdateItemCommand(input));
      const checkpoint = str(item, 'checkpoint');
      return {
        outcome: 'claimed',
        attempt: num(item, 'attempt') ?? 1,
        fence: num(item, 'fence') ?? 1,
        redrives: num(item, 'redrives'),
        checkpoint: checkpoint === undefined ? undefined : (JSON.parse(checkpoint) as unknown),
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      const status = str(old, 'status') as RunStatus | undefined;
      // A refusal that does not say what it found is asked again soon, never taken for a finished run: acknowledging
      // it as a duplicate deleted the message of a run that had not finished.
      if (status === undefined) return { outcome: 'busy', leaseExpiresAt: request.now + UNKNOWN_STATE_RETRY_MS };
      if (status === RunStatus.RUNNING) {
        const leaseExpiresAt = num(old, 'leaseExpiresAt') ?? request.now;
        return str(old, 'execution') === undefined
          ? { outcome: 'busy', leaseExpiresAt }
          : { outcome: 'busy', leaseExpiresAt, handedOver: true };
      }
      return { outcome: 'duplicate', status };
    }
  }

  /** Written together with the completions that arrive while one is on its way (StatementGroups). */
  async succeed(completion: RunCompletion): Promise<boolean> {
    return this.completions.write(completion);
  }

  fail(key: RunKey, fence: number, failure: RunFailure): Promise<boolean> {
    return this.finishWithError(key, fence, failure, RunStatus.FAILED);
  }

  kill(key: RunKey, fence: number, failure: RunFailure): Promise<boolean> {
    return this.finishWithError(key, fence, failure, RunStatus.DEAD);
  }

  async reject(key: RunKey, failure: RunRejection): Promise<RunStatus | undefined> {
    const at = S(iso(failure.now));
    const trace = failure.traceId === undefined ? undefined : S(failure.traceId);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: runKey(key),
          ConditionExpression: 'attribute_not_exists(#pk)',
          UpdateExpression:
            'SET #status = :dead, #job = :job, #id = :id, #attempt = :zero, #fence = :rejected, ' +
            '#deadFence = :rejected, #createdAt = :at, #updatedAt = :at, #finishedAt = :at, ' +
            `#lastError = :error, #expiresAt = :ttl${trace ? ', #traceId = :traceId' : ''}`,
          ExpressionAttributeNames: names(
            'pk',
            'status',
            'job',
            'id',
            'attempt',
            'fence',
            'deadFence',
            'createdAt',
            'updatedAt',
            'finishedAt',
            'lastError',
            'expiresAt',
            ...(trace ? ['traceId'] : []),
          ),
          ExpressionAttributeValues: {
            ':dead': S(RunStatus.DEAD),
            ':job': S(key.job),
            ':id': S(key.id),
            ':zero': N(0),
            ':rejected': N(REJECTED_FENCE),
            ':at': at,
            ':error': S(failure.error.slice(0, 4000)),
            ':ttl': N(ttlSeconds(failure.expiresAt)),
            ...(trace ? { ':traceId': trace } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      // A run with this ID exists already: it keeps its own record, and the caller learns its status.
      if (!isConditionFailure(error)) throw error;
      return str((error as { Item?: Record<string, AttributeValue> }).Item, 'status') as RunStatus | undefined;
    }
  }

  checkpoint(key: RunKey, fence: number, state: unknown): Promise<boolean> {
    return this.setWhileRunning(key, fence, 'checkpoint', S(JSON.stringify(state)));
  }

  holds(key: RunKey, fence: number, now: number): Promise<boolean> {
    return this.setWhileRunning(key, fence, 'updatedAt', S(iso(now)));
  }

  progress(key: RunKey, fence: number, progress: RunProgress): Promise<boolean> {
    const note: Record<string, AttributeValue> = progress.note === undefined ? {} : { note: S(progress.note) };
    return this.setWhileRunning(key, fence, 'progress', {
      M: { done: N(progress.done), total: N(progress.total), at: S(iso(progress.at)), ...note },
    });
  }

  /** Sets one attribute of the run while this attempt holds it (fenced): a checkpoint, progress, `updatedAt`. */
  private setWhileRunning(key: RunKey, fence: number, attribute: string, value: AttributeValue): Promise<boolean> {
    return this.fenced({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#fence = :fence AND #status = :running',
      UpdateExpression: `SET #${attribute} = :value`,
      ExpressionAttributeNames: names('fence', 'status', attribute),
      ExpressionAttributeValues: { ':fence': N(fence), ':running': S(RunStatus.RUNNING), ':value': value },
    });
  }

  skip(key: RunKey, fence: number, at: { readonly now: number; readonly reason: string }): Promise<boolean> {
    return this.fenced({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#fence = :fence AND #status = :running',
      // It never ran: the claim's attempt is given back, as on a run catch-up skipped without claiming (attempt 0).
      UpdateExpression:
        'SET #status = :skipped, #reason = :reason, #finishedAt = :at, #updatedAt = :at, #attempt = ' +
        '#attempt - :one REMOVE #leaseExpiresAt',
      ExpressionAttributeNames: names(
        'fence',
        'status',
        'reason',
        'finishedAt',
        'updatedAt',
        'attempt',
        'leaseExpiresAt',
      ),
      ExpressionAttributeValues: {
        ':fence': N(fence),
        ':running': S(RunStatus.RUNNING),
        ':skipped': S(RunStatus.SKIPPED),
        ':reason': S(at.reason.slice(0, 1000)),
        ':at': S(iso(at.now)),
        ':one': N(1),
      },
    });
  }

  wait(key: RunKey, fence: number, at: { readonly now: number; readonly reason: string }): Promise<boolean> {
    return this.fenced({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#fence = :fence AND #status = :running',
      // The claim counted an attempt; waiting is not one, so the next claim counts the same attempt again.
      UpdateExpression:
        'SET #status = :pending, #reason = :reason, #updatedAt = :at, #attempt = #attempt - :one ' +
        'REMOVE #leaseExpiresAt',
      ExpressionAttributeNames: names('fence', 'status', 'reason', 'updatedAt', 'attempt', 'leaseExpiresAt'),
      ExpressionAttributeValues: {
        ':fence': N(fence),
        ':running': S(RunStatus.RUNNING),
        ':pending': S(RunStatus.PENDING),
        ':reason': S(at.reason.slice(0, 1000)),
        ':at': S(iso(at.now)),
        ':one': N(1),
      },
    });
  }

  async countDuplicate(key: RunKey, now: number): Promise<void> {
    await this.fenced({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: 'attribute_exists(#pk)',
      UpdateExpression: 'ADD #duplicates :one SET #lastDuplicateAt = :at',
      ExpressionAttributeNames: names('pk', 'duplicates', 'lastDuplicateAt'),
      ExpressionAttributeValues: { ':one': N(1), ':at': S(iso(now)) },
    });
  }

  private finishWithError(key: RunKey, fence: number, failure: RunFailure, status: RunStatus): Promise<boolean> {
    const values: Record<string, AttributeValue> = {
      ':fence': N(fence),
      ':running': S(RunStatus.RUNNING),
      ':status': S(status),
      ':at': S(iso(failure.now)),
      ':error': S(failure.error.slice(0, 4000)),
      ':entry': { L: [{ M: { fence: N(fence), at: S(iso(failure.now)), error: S(failure.error.slice(0, 1000)) } }] },
      ':empty': { L: [] },
    };
    const attributeNames = ['fence', 'status', 'finishedAt', 'updatedAt', 'lastError', 'errors', 'leaseExpiresAt'];
    let extra = '';
    if (status === RunStatus.DEAD) {
      extra = ', #deadFence = :fence';
      attributeNames.push('deadFence');
    }
    if (failure.retryAt !== undefined) {
      extra += ', #retryAt = :retryAt';
      values[':retryAt'] = S(iso(failure.retryAt));
      attributeNames.push('retryAt');
    }
    return this.fenced({
      TableName: this.tableName,
      Key: runKey(key),
      ConditionExpression: '#fence = :fence AND #status = :running',
      UpdateExpression:
        `SET #status = :status, #finishedAt = :at, #updatedAt = :at, #lastError = ` +
        `:error, #errors = list_append(if_not_exists(#errors, :empty), :entry)${extra} REMOVE #leaseExpiresAt`,
      ExpressionAttributeNames: names(...attributeNames),
      ExpressionAttributeValues: values,
    });
  }

  private fenced(update: UpdateItemCommandInput): Promise<boolean> {
    return fencedUpdate(this.client, update);
  }
}

/**
 * A finishing or in-run write of a run: false when its condition (this attempt still holds the run) fails, and
 * RunCancelledError when an operator cancelled the run meanwhile.
 */
export async function fencedUpdate(client: DynamoDBClient, update: UpdateItemCommandInput): Promise<boolean> {
  try {
    await client.send(new UpdateItemCommand({ ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return refused((error as { Item?: Record<string, AttributeValue> }).Item);
  }
}
