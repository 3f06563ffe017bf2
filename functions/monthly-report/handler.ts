import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReportStore, reportTablesFromEnvironment } from '#shared/adapters/dynamodb-report-store';
import { monthlyReportJob } from '#shared/jobs/monthly-report';
import { runReport } from '#shared/reports/run-report';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';

const dynamodb = new DynamoDBClient(runtimeClientConfig);
const store = new DynamoDbReportStore(dynamodb, reportTablesFromEnvironment());

export const handler = createLambdaHandler(
  monthlyReportJob,
  async (payload, ctx) => {
    await runReport({ kind: 'monthly', explicit: payload.month }, ctx, store);
  },
  { dynamodb },
);
