import { SESClient } from '@aws-sdk/client-ses';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { sendEmailJob } from '#shared/jobs/send-email';
import { createLambdaHandler } from '#shared/runtime/create-lambda-handler';
import { requireEnv } from '#shared/runtime/environment';
import { sendEmail } from '#functions/send-email/send-email';
import { runtimeClientConfig } from '#shared/adapters/client-config';

const sender = new SesEmailSender(new SESClient(runtimeClientConfig), requireEnv('EMAIL_FROM'));

export const handler = createLambdaHandler(sendEmailJob, (payload, ctx) => sendEmail(payload, ctx, sender));
