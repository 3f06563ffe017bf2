import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { createLambdaHandler } from '#shared/runtime/create-lambda-handler';
import { fanOut } from '#functions/bulk-email/fan-out';

export const handler = createLambdaHandler(bulkEmailJob, fanOut);
