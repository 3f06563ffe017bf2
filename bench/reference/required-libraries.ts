import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';

/**
 * The SDK floor (sdk-clients.ts) plus the libraries every job function is built on and uses on every record:
 * Powertools Logger and Metrics, and zod/mini with its English messages (see the runtime's zod-mini.ts). Bundled
 * like a function: what is left of a bundle above this is the framework's own code and the commands it sends.
 */
z.config(en());
const clients = [new DynamoDBClient({}), new SESClient({})];
const logger = new Logger();
const metrics = new Metrics({ namespace: 'Floor' });
const payload = z.object({ to: z.string(), subject: z.string() });

export const handler = async (event: unknown): Promise<number> => {
  const parsed = payload.safeParse(event);
  logger.debug('parsed', { ok: parsed.success });
  metrics.addMetric('Parsed', 'Count', 1);
  return clients.length;
};
