import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCleanupStore } from '#shared/adapters/dynamodb-cleanup-store';
import { runCleanup } from '#shared/cleanup/run-cleanup';
import { domainTables } from '#shared/domain/tables';
import { cleanupJob } from '#shared/jobs/cleanup';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';

// Built once per container, so warm invocations reuse the client's connections; the ledger shares it.
const env = readFunctionEnvironment();
const dynamodb = new DynamoDBClient(runtimeClientConfig);
const store = new DynamoDbCleanupStore(dynamodb, {
  auditLog: env.tableName(domainTables.auditLog),
  customers: env.tableName(domainTables.customers),
});

export const handler = createLambdaHandler(
  cleanupJob,
  async (payload, ctx) => {
    await runCleanup(payload, ctx, store);
  },
  { dynamodb },
);
