import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runtimeClientConfig } from '@serverless-jobs/runtime/adapters';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';
import { createDurableHandler, createDurableStarter } from '@serverless-jobs/runtime/durable';
import { DynamoDbOrderStore } from '#shared/adapters/dynamodb-order-store';
import { domainTables } from '#shared/domain/tables';
import { fulfilOrderJob } from '#shared/jobs/fulfil-order';
import { fulfilOrder } from '#functions/fulfil-order/fulfil-order';

const env = readFunctionEnvironment();
// One client for the orders, the hand-overs and the ledger: one connection pool, one TLS handshake at a cold start.
const dynamodb = new DynamoDBClient(runtimeClientConfig);
const orders = new DynamoDbOrderStore(dynamodb, {
  orders: env.tableName(domainTables.orders),
  ledger: env.ledgerTable,
});

/** The queue's function: starts each run's durable execution. */
export const handler = createDurableStarter(fulfilOrderJob, { dynamodb });

/** The durable execution function. */
export const durable = createDurableHandler(fulfilOrderJob, (payload, ctx) => fulfilOrder(payload, ctx, orders), {
  dynamodb,
});
