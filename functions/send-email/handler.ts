import { SESClient } from '@aws-sdk/client-ses';
import { SesEmailSender } from '#shared/adapters/ses-email-sender';
import { sendEmailJob } from '#shared/jobs/send-email';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { sendEmail } from '#functions/send-email/send-email';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';

const sender = new SesEmailSender(new SESClient(runtimeClientConfig), readFunctionEnvironment().emailFrom);

export const handler = createLambdaHandler(sendEmailJob, (payload, ctx) => sendEmail(payload, ctx, sender));
