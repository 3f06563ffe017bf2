import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbOrderStore } from '#shared/adapters/dynamodb-order-store';
import { processOrderJob } from '#shared/jobs/process-order';
import { createLambdaHandler } from '@serverless-jobs/runtime/runtime';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { domainTables } from '#shared/domain/tables';
import { confirmOrder, processOrder } from '#functions/process-order/process-order';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';

const env = readFunctionEnvironment();
// One client for the orders and the ledger: one connection pool, one TLS handshake at a cold start.
const dynamodb = new DynamoDBClient(runtimeClientConfig);
const orders = new DynamoDbOrderStore(dynamodb, {
  orders: env.tableName(domainTables.orders),
  ledger: env.ledgerTable,
});

export const handler = createLambdaHandler(processOrderJob, (payload, ctx) => processOrder(payload, ctx, orders), {
  afterSuccess: (payload, ctx) => confirmOrder(payload, ctx, orders),
  dynamodb,
});
