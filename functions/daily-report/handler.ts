import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReportStore, reportTablesFromEnvironment } from '#shared/adapters/dynamodb-report-store';
import { dailyReportJob } from '#shared/jobs/daily-report';
import { runReport } from '#shared/reports/run-report';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';

// Built once per container, so warm invocations reuse the client's connections; the ledger shares it.
const dynamodb = new DynamoDBClient(runtimeClientConfig);
const store = new DynamoDbReportStore(dynamodb, reportTablesFromEnvironment());

export const handler = createLambdaHandler(
  dailyReportJob,
  async (payload, ctx) => {
    await runReport({ kind: 'daily', explicit: payload.date }, ctx, store);
  },
  { dynamodb },
);
