import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { recordVisitJob, visitsTable } from '../jobs.mjs';

const dynamodb = new DynamoDBClient({});
const tableName = readFunctionEnvironment().tableName(visitsTable);

export const handler = createLambdaHandler(recordVisitJob, async (payload, ctx) => {
  const item = { visitId: { S: payload.visitId }, page: { S: payload.page }, at: { S: ctx.now().toISOString() } };
  await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: item }));
});
