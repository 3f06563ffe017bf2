import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';

/**
 * The floor of send-email's cold start: only the two SDK clients it needs on every record, built as a
 * function builds them, bundled the same way (bench/sections/cold-start.ts), and nothing of ours.
 */
const clients = [new DynamoDBClient({}), new SESClient({})];

export const handler = async (): Promise<number> => clients.length;
