import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, N, names, num, S, str, iso, ttlSeconds } from './attribute-values.ts';
import { runKey, singletonKey } from './ledger-keys.ts';
import { partitionItems } from './dynamodb-job-runs.ts';
import { jobPartitions } from '../contracts/ledger-table.ts';
import { occurrenceJobId } from '../contracts/envelope.ts';
import { RunStatus, type ScheduledOccurrence } from '../runtime/run-ledger.ts';
import type {
  OccurrenceLedger,
  OccurrenceMarker,
  OccurrenceRecord,
  PauseWindow,
  ScheduleChange,
  ScheduleWatchState,
  WatchReport,
} from '../schedules/occurrence-ledger.ts';

/** The watchdog's state of a schedule, in the ledger table; alone in its partition, like a lease. */
export const watchPk = (job: string, schedule: string): string => `#schedule/${job}/${schedule}`;

/** Occurrences kept per list in `recent`. */
const RECENT = 50;
const BATCH_GET = 100;

function parseJson<T>(item: Record<string, AttributeValue> | undefined, name: string, fallback: T): T {
  const text = str(item, name);
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export class DynamoDbOccurrenceLedger implements OccurrenceLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async state(job: string, schedule: string): Promise<ScheduleWatchState> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: singletonKey(watchPk(job, schedule)),
        ConsistentRead: true,
      }),
    );
    return {
      checkedUntil: num(Item, 'checkedUntil'),
      watchedSince: num(Item, 'watchedSince'),
      pausedSince: num(Item, 'pausedSince'),
      pauses: parseJson<PauseWindow[]>(Item, 'pauses', []),
      last: parseJson<WatchReport | undefined>(Item, 'last', undefined),
      live: parseJson<ScheduleChange | undefined>(Item, 'live', undefined),
      recent: parseJson(Item, 'recent', { missed: [], late: [], duplicated: [] }),
      superseded: parseJson<string[]>(Item, 'superseded', []),
    };
  }

  async records(job: string, ids: readonly string[]): Promise<Map<string, OccurrenceRecord>> {
    const found = new Map<string, OccurrenceRecord>();
    for (let i = 0; i < ids.length; i += BATCH_GET) {
      let keys: Record<string, AttributeValue>[] | undefined = ids
        .slice(i, i + BATCH_GET)
        .map((id) => runKey({ job, id }));
      for (let round = 0; keys && keys.length > 0; round++) {
        const answer: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: '#id, #status, #enqueuedAt, #duplicates',
                ExpressionAttributeNames: names('id', 'status', 'enqueuedAt', 'duplicates'),
              },
            },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const enqueuedAt = str(item, 'enqueuedAt');
          found.set(str(item, 'id') ?? '', {
            status: (str(item, 'status') ?? RunStatus.SUCCEEDED) as RunStatus,
            enqueuedAt: enqueuedAt === undefined ? undefined : Date.parse(enqueuedAt),
            duplicates: num(item, 'duplicates') ?? 0,
          });
        }
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys;
        if (keys && keys.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(round, 5)));
      }
    }
    return found;
  }

  /** The newest occurrence of the schedule with a run: per partition, the last job ID `<schedule>@<time>`. */
  async latestOccurrence(job: string, schedule: string): Promise<number | undefined> {
    const newest = await Promise.all(
      jobPartitions(job).map(async (partition) => {
        const items = partitionItems(this.client, this.tableName, partition, {
          idCondition: 'begins_with(#sk, :prefix)',
          filter: '#schedule = :schedule AND attribute_exists(#occurrence)',
          names: names('schedule', 'occurrence'),
          values: { ':prefix': S(`${schedule}@`), ':schedule': S(schedule) },
          projection: ['occurrence'],
          descending: true,
          pageSize: 25,
        });
        for await (const item of items) return Date.parse(str(item, 'occurrence') ?? '');
        return undefined;
      }),
    );
    const times = newest.filter((time): time is number => time !== undefined && !Number.isNaN(time));
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  async advance(job: string, schedule: string, expected: number | undefined, report: WatchReport): Promise<boolean> {
    const previous = await this.state(job, schedule);
    const recent = {
      missed: [...previous.recent.missed, ...report.missed].slice(-RECENT),
      late: [...previous.recent.late, ...report.late].slice(-RECENT),
      duplicated: [...previous.recent.duplicated, ...report.duplicated].slice(-RECENT),
    };
    const values: Record<string, AttributeValue> = {
      ':until': N(report.until),
      ':at': N(report.at),
      ':last': S(JSON.stringify(report)),
      ':recent': S(JSON.stringify(recent)),
      ':superseded': S(JSON.stringify([...previous.superseded, ...report.superseded].slice(-4 * RECENT))),
    };
    if (expected !== undefined) values[':expected'] = N(expected);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: singletonKey(watchPk(job, schedule)),
          // Never backwards: a late or redriven watchdog message has an older `until`, and must not count a span twice.
          ConditionExpression:
            expected === undefined
              ? 'attribute_not_exists(#checkedUntil)'
              : '#checkedUntil = :expected AND :until >= #checkedUntil',
          UpdateExpression:
            'SET #checkedUntil = :until, #watchedSince = if_not_exists(#watchedSince, :at), #last = ' +
            ':last, #recent = :recent, #superseded = :superseded',
          ExpressionAttributeNames: names('checkedUntil', 'watchedSince', 'last', 'recent', 'superseded'),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markPending(job: string, occurrence: ScheduledOccurrence, marker: OccurrenceMarker): Promise<boolean> {
    const status = RunStatus.PENDING;
    const id = occurrenceJobId(occurrence.schedule, occurrence.time);
    const at = S(iso(marker.now));
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: runKey({ job, id }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          UpdateExpression:
            'SET #status = :status, #job = :job, #id = :id, #schedule = :schedule, #occurrence = ' +
            ':occurrence, #reason = :reason, #createdAt = :at, #updatedAt = :at, #expiresAt = :ttl',
          ExpressionAttributeNames: names(
            'pk',
            'status',
            'job',
            'id',
            'schedule',
            'occurrence',
            'reason',
            'createdAt',
            'updatedAt',
            'expiresAt',
          ),
          ExpressionAttributeValues: {
            ':status': S(status),
            ':job': S(job),
            ':id': S(id),
            ':schedule': S(occurrence.schedule),
            ':occurrence': S(occurrence.time),
            ':reason': S(marker.reason.slice(0, 1000)),
            ':at': at,
            ':ttl': N(ttlSeconds(marker.expiresAt)),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async unmarkPending(job: string, occurrence: ScheduledOccurrence, marker: OccurrenceMarker): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: runKey({ job, id: occurrenceJobId(occurrence.schedule, occurrence.time) }),
          // Only the marker this sender wrote, and only while nothing has claimed it: every claim sets a fence,
          // and a claimed run that waits its turn (overlap bufferOne) is PENDING again, with the marker's createdAt.
          ConditionExpression: '#status = :pending AND #createdAt = :at AND attribute_not_exists(#fence)',
          ExpressionAttributeNames: names('status', 'createdAt', 'fence'),
          ExpressionAttributeValues: { ':pending': S(RunStatus.PENDING), ':at': S(iso(marker.now)) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async pause(job: string, schedule: string, now: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: singletonKey(watchPk(job, schedule)),
        UpdateExpression: 'SET #pausedSince = if_not_exists(#pausedSince, :now)',
        ExpressionAttributeNames: names('pausedSince'),
        ExpressionAttributeValues: { ':now': N(now) },
      }),
    );
  }

  async recordChange(job: string, schedule: string, change: ScheduleChange | undefined): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: singletonKey(watchPk(job, schedule)),
        UpdateExpression: change ? 'SET #live = :live' : 'REMOVE #live',
        ExpressionAttributeNames: names('live'),
        ...(change ? { ExpressionAttributeValues: { ':live': S(JSON.stringify(change)) } } : {}),
      }),
    );
  }

  async resume(job: string, schedule: string, now: number): Promise<void> {
    const state = await this.state(job, schedule);
    if (state.pausedSince === undefined) return;
    const pauses: PauseWindow[] = [...state.pauses, { from: state.pausedSince, to: now }].slice(-RECENT);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: singletonKey(watchPk(job, schedule)),
          ConditionExpression: '#pausedSince = :since',
          UpdateExpression: 'SET #pauses = :pauses REMOVE #pausedSince',
          ExpressionAttributeNames: names('pausedSince', 'pauses'),
          ExpressionAttributeValues: { ':since': N(state.pausedSince), ':pauses': S(JSON.stringify(pauses)) },
        }),
      );
    } catch (error) {
      // Resumed by someone else meanwhile: their window stands.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
