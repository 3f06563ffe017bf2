import { describe, expect, it } from 'vitest';
import { jobOutputKey, pascalCase, StackOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';

describe('Module: output-names', () => {
  it('turns kebab-case job names into PascalCase', () => {
    expect(pascalCase('send-email')).toBe('SendEmail');
    expect(pascalCase('AuditLog')).toBe('AuditLog');
  });

  it('computes the output key of each job resource from the job name', () => {
    expect(jobOutputKey.queueUrl('send-email')).toBe('QueueUrlSendEmail');
    expect(jobOutputKey.dlqUrl('send-email')).toBe('DlqUrlSendEmail');
    expect(jobOutputKey.queueArn('process-order')).toBe('QueueArnProcessOrder');
    expect(jobOutputKey.functionName('send-email')).toBe('FunctionSendEmail');
    expect(jobOutputKey.schedule('cleanup', 'daily')).toBe('ScheduleCleanupDaily');
  });

  it('computes table keys from the design id and keeps the stack-wide keys fixed', () => {
    expect(tableOutputKey('Orders')).toBe('TableOrders');
    expect(tableOutputKey('Ledger')).toBe('TableLedger');
    expect(StackOutputKey).toMatchObject({
      SCHEDULE_GROUP: 'ScheduleGroup',
      DASHBOARD: 'DashboardName',
      ALARM_TOPIC_ARN: 'AlarmTopicArn',
    });
  });
});
