import { describe, expect, it } from 'vitest';
import { declarationHint, refusalLine } from '../../src/runner/iam/function-identities.ts';

describe('Function: refusalLine', () => {
  it('names what was refused, to whom, why, and what in the declaration grants it', () => {
    expect(
      refusalLine({
        label: 'count-orders',
        caller: 'ServerlessJobs-dev-countordersFunction',
        service: 'dynamodb',
        what: 'dynamodb:Scan on arn:aws:dynamodb:us-east-1:000000000000:table/Orders',
        action: 'dynamodb:Scan',
        why: 'no statement of its role ServerlessJobs-dev-countordersRole allows it',
      }),
    ).toBe(
      'IAM refused dynamodb:Scan on arn:aws:dynamodb:us-east-1:000000000000:table/Orders to ' +
        'ServerlessJobs-dev-countordersFunction: no statement of its role ServerlessJobs-dev-countordersRole ' +
        "allows it; access 'scan' on the table in the job's resources.tables grants it",
    );
  });

  it('gives the access of each DynamoDB action, the enqueue and e-mail grants, and nothing it cannot name', () => {
    expect(declarationHint('dynamodb:Query')).toContain("access 'read'");
    expect(declarationHint('dynamodb:UpdateItem')).toContain("access 'write'");
    expect(declarationHint('dynamodb:BatchWriteItem')).toContain("access 'delete'");
    expect(declarationHint('sqs:SendMessage')).toContain('resources.enqueues');
    expect(declarationHint('ses:SendEmail')).toContain('resources.sendsEmail');
    expect(declarationHint('dynamodb:DeleteTable')).toBeUndefined();
    expect(declarationHint('sqs:PurgeQueue')).toBeUndefined();
  });
});
