import { describe, expect, it } from 'vitest';
import type { LocalSchedule } from '@serverless-jobs/local/runner';
import { occurrenceInput } from '@serverless-jobs/local/runner';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import { failedMessageIds } from '@serverless-jobs/local/runner';
import { queryToJson } from '@serverless-jobs/local/runner';

describe('Function: queryToJson (the AWS CLI query protocol)', () => {
  it('turns a form-encoded SendMessage into the JSON protocol input', () => {
    expect(
      queryToJson({
        Action: 'SendMessage',
        Version: '2012-11-05',
        QueueUrl: 'http://q',
        MessageBody: '{"a":1}',
        DelaySeconds: '5',
        'MessageAttribute.1.Name': 'jobId',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'k-1',
      }),
    ).toEqual({
      QueueUrl: 'http://q',
      MessageBody: '{"a":1}',
      DelaySeconds: 5,
      MessageAttributes: { jobId: { DataType: 'String', StringValue: 'k-1', BinaryValue: undefined } },
    });
  });

  it('collects numbered names into lists', () => {
    expect(
      queryToJson({
        Action: 'ReceiveMessage',
        QueueUrl: 'q',
        'AttributeName.1': 'All',
        'MessageAttributeName.1': 'All',
        MaxNumberOfMessages: '10',
      }),
    ).toEqual({
      QueueUrl: 'q',
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      MaxNumberOfMessages: 10,
    });
  });
});

describe('Function: failedMessageIds (partial batch responses, as Lambda reads them)', () => {
  const batch = ['m1', 'm2', 'm3'];

  it('retries only the reported records', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, batch, true)).toEqual(new Set(['m2']));
    expect(failedMessageIds({ batchItemFailures: [] }, batch, true)).toEqual(new Set());
  });

  it('fails the whole batch for a malformed answer', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'unknown' }] }, batch, true)).toEqual(
      new Set(batch),
    );
    expect(failedMessageIds({ batchItemFailures: 'all' }, batch, true)).toEqual(new Set(batch));
  });

  it('ignores the answer when the mapping does not report batch item failures', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, batch, false)).toEqual(new Set());
  });
});

describe('Function: occurrenceInput', () => {
  const base = {
    logicalId: 'S',
    name: 'S',
    expression: 'cron(0 2 * * ? *)',
    timeZone: 'UTC',
    enabled: true,
    queueLogicalId: 'Q',
  };
  const at = Date.parse('2026-11-24T02:00:00.000Z');

  it('fills the Scheduler placeholder with the scheduled time, as AWS does', () => {
    const schedule: LocalSchedule = {
      ...base,
      kind: 'scheduler',
      input: '{"occurrence":"<aws.scheduler.scheduled-time>"}',
      placeholder: '<aws.scheduler.scheduled-time>',
    };
    expect(JSON.parse(occurrenceInput(schedule, at))).toEqual({ occurrence: '2026-11-24T02:00:00Z' });
    expect(occurrenceTime(at)).toBe('2026-11-24T02:00:00Z');
  });

  it('fills a rule input transformer <time> with a JSON string', () => {
    const schedule: LocalSchedule = { ...base, kind: 'rule', input: '{"occurrence":<time>}', placeholder: '<time>' };
    expect(JSON.parse(occurrenceInput(schedule, at))).toEqual({ occurrence: '2026-11-24T02:00:00Z' });
  });
});
