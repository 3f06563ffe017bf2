import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { berlinDigestJob } from '../jobs.mjs';

export const handler = createLambdaHandler(berlinDigestJob, async (payload, ctx) => {
  ctx.logger.info(`${payload.greeting} from berlin-digest`, { occurrence: ctx.occurrence });
});
