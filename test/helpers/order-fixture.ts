import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { DynamoDbOrderStore } from '#shared/adapters/dynamodb-order-store';
import { domainTables } from '#shared/domain/tables';
import { processOrderJob } from '#shared/jobs/process-order';
import { confirmOrder, processOrder } from '#functions/process-order/process-order';
import { createTable, dynamo, uniqueName } from '#test/helpers/aws';
import { createRuntimeFixture } from '#test/helpers/runtime-fixture';
import { sqsRecordFactory } from '#test/helpers/sqs-record-factory';

/**
 * process-order on DynamoDB Local with one PENDING order: the runtime, its order store and its ledger all
 * use `client`, so a test can inject faults into the order transaction with an SDK middleware.
 */
export async function createOrderFixture(client: DynamoDBClient = new DynamoDBClient({})) {
  const f = await createRuntimeFixture(['send-email'], client);
  const ordersTable = await createTable(domainTables.orders);
  const store = new DynamoDbOrderStore(client, { orders: ordersTable, ledger: f.ledgerName });
  const orderId = uniqueName('o');
  await dynamo().send(
    new PutItemCommand({
      TableName: ordersTable,
      Item: {
        orderId: S(orderId),
        status: S('PENDING'),
        customerEmail: S('ada@example.com'),
        currency: S('EUR'),
        totalCents: N(2500),
        items: { L: [{ M: { sku: S('book'), quantity: N(2), unitPriceCents: N(1250) } }] },
      },
    }),
  );
  const order = async () => {
    const { Item } = await dynamo().send(
      new GetItemCommand({ TableName: ordersTable, Key: { orderId: S(orderId) }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  };
  const deps = f.deps(processOrderJob, (payload, ctx) => processOrder(payload as { orderId: string }, ctx, store), {
    afterSuccess: (payload, ctx) => confirmOrder(payload as { orderId: string }, ctx, store),
  });
  const record = () => sqsRecordFactory({ id: `order/${orderId}`, payload: { orderId } });
  const confirmations = async () =>
    (await f.drain(f.targetUrls.get('send-email')!)).map((m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id);
  return { f, deps, order, orderId, record, confirmations };
}
