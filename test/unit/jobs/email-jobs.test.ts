import { describe, expect, it } from 'vitest';
import { isPermanentSesError } from '#shared/adapters/ses-email-sender';
import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { sendEmailJob } from '#shared/jobs/send-email';
import { recipientJobId } from '#functions/bulk-email/fan-out';

const sesError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('Job: send-email payload', () => {
  it.each([
    [{ to: 'ada@example.com', subject: 'Hi', text: 'x' }, true],
    [{ to: 'ada@example.com\r\nBcc: eve@example.com', subject: 'Hi', text: 'x' }, false],
    [{ to: 'ada@example.com', subject: 'Hi\nBcc: eve@example.com', text: 'x' }, false],
    [{ to: 'ada@example.com', subject: 'Hi' }, false],
    [{ to: 'ada@example.com', subject: 'Hi', text: 'x', cc: 'eve@example.com' }, false],
  ])('validates %j as %s', (payload, valid) => {
    expect(sendEmailJob.payload.safeParse(payload).success).toBe(valid);
  });
});

describe('Function: isPermanentSesError', () => {
  it('treats a rejected message and an invalid parameter as permanent', () => {
    expect(isPermanentSesError(sesError('MessageRejected', 400))).toBe(true);
    expect(isPermanentSesError(sesError('InvalidParameterValue', 400))).toBe(true);
  });

  it('treats throttling and server errors as transient', () => {
    expect(isPermanentSesError(sesError('Throttling', 400))).toBe(false);
    expect(isPermanentSesError(sesError('ServiceUnavailable', 503))).toBe(false);
    expect(isPermanentSesError(new Error('socket hang up'))).toBe(false);
  });
});

describe('Function: recipientJobId', () => {
  it('is the same for the same recipient whatever the case, so a retry e-mails nobody twice', () => {
    expect(recipientJobId('campaign-1', ' Ada@Example.com')).toBe(recipientJobId('campaign-1', 'ada@example.com'));
  });

  it('takes 1 to 5000 recipients', () => {
    const recipients = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.com`);
    expect(bulkEmailJob.payload.safeParse({ recipients: recipients(0), subject: 's', text: 't' }).success).toBe(false);
    expect(bulkEmailJob.payload.safeParse({ recipients: recipients(5000), subject: 's', text: 't' }).success).toBe(
      true,
    );
    expect(bulkEmailJob.payload.safeParse({ recipients: recipients(5001), subject: 's', text: 't' }).success).toBe(
      false,
    );
  });
});
