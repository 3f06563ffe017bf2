import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { createDurableHandler, createDurableStarter } from '@serverless-jobs/runtime/durable';
import { reviewVisitJob, visitsTable } from '../jobs.mjs';

const dynamodb = new DynamoDBClient({});
const tableName = readFunctionEnvironment().tableName(visitsTable);

export const handler = createDurableStarter(reviewVisitJob);

export const durable = createDurableHandler(reviewVisitJob, async (payload, ctx) => {
  const review = await ctx.waitForCallback('review', { timeout: '1h' });
  await ctx.step('mark-reviewed', async () => {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { visitId: { S: payload.visitId } },
        UpdateExpression: 'SET reviewedBy = :by',
        ExpressionAttributeValues: { ':by': { S: String(review.by) } },
      }),
    );
  });
});
