import { DynamoDBClient, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { N, names, S } from '@serverless-jobs/runtime/adapters';
import { completionUpdate } from '@serverless-jobs/runtime/adapters';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { domainTables } from '#shared/domain/tables';
import { LeaseLostError } from '@serverless-jobs/runtime/runtime';
import { soakJob } from './soak-job';

const client = new DynamoDBClient({});
const env = readFunctionEnvironment();
const tables = { effects: env.tableName(domainTables.orders), ledger: env.ledgerTable };

/** Effect item `soak/<job ID>`: `effects` counts how often the effect was committed. */
export const effectKey = (jobId: string): string => `soak/${jobId}`;

export const handler = createLambdaHandler(soakJob, async (payload, ctx) => {
  if (ctx.attempt <= payload.failAttempts)
    throw new Error(`injected transient failure (attempt ${ctx.attempt} of ${payload.failAttempts} that fail)`);
  await ctx.completeWith(async (completion) => {
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: tables.effects,
                Key: { orderId: S(effectKey(ctx.jobId)) },
                UpdateExpression: 'ADD #effects :one SET #n = :n',
                ExpressionAttributeNames: names('effects', 'n'),
                ExpressionAttributeValues: { ':one': N(1), ':n': N(payload.n) },
              },
            },
            { Update: completionUpdate(tables.ledger, completion) },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed'
      )
        throw new LeaseLostError(completion.key);
      throw error;
    }
  });
});
