import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { fanOut } from '#functions/bulk-email/fan-out';

export const handler = createLambdaHandler(bulkEmailJob, fanOut);
