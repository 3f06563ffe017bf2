import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { EmailSender, OutgoingEmail } from '#shared/domain/email';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';

/** SES errors that a retry cannot fix; anything else (throttling, 5xx, network) is transient. */
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
  'ValidationError',
]);

export function isPermanentSesError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // A 400 that is not throttling is the request's fault, e.g. the emulator's "Bad Request Exception".
  return PERMANENT_SES_ERRORS.has(error.name) || (status === 400 && !/Throttl/i.test(error.name));
}

const content = (data: string) => ({ Data: data, Charset: 'UTF-8' });

export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESClient,
    private readonly from: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const { MessageId } = await this.client.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: email.replyTo ? [email.replyTo] : undefined,
          Message: {
            Subject: content(email.subject),
            Body: {
              Text: email.text === undefined ? undefined : content(email.text),
              Html: email.html === undefined ? undefined : content(email.html),
            },
          },
        }),
      );
      return { messageId: MessageId ?? '' };
    } catch (error) {
      if (isPermanentSesError(error)) {
        throw new PermanentJobError(
          `SES refused the e-mail to ${email.to}: ${(error as Error).name}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
