import { type Order, type OrderStore, orderRecord, OrderStatus } from '#shared/domain/order';
import type { PayloadOf } from '@serverless-jobs/runtime/jobs';
import type { processOrderJob } from '#shared/jobs/process-order';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import type { JobContext } from '@serverless-jobs/runtime/runtime';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';

export type ProcessOrderPayload = PayloadOf<typeof processOrderJob>;

/** Checks the stored record and that its total is the sum of its items. */
export function validateOrder(raw: unknown): Order {
  const parsed = z.safeParse(orderRecord, raw);
  if (!parsed.success) throw new PermanentJobError(`order is malformed: ${describeIssues(parsed.error.issues, raw)}`);
  const order = parsed.data;
  const sum = order.items.reduce((total, item) => total + item.quantity * item.unitPriceCents, 0);
  if (sum !== order.totalCents) {
    throw new PermanentJobError(
      `order "${order.orderId}": field "totalCents" must equal the items' sum ${sum} (given ${order.totalCents})`,
    );
  }
  return order;
}

export const confirmationJobId = (orderId: string): string => `order-confirmation/${orderId}`;

export function confirmationEmail(order: Order): { to: string; subject: string; text: string } {
  const amount = `${(order.totalCents / 100).toFixed(2)} ${order.currency}`;
  const lines = order.items.map((item) => `- ${item.quantity} × ${item.sku}`);
  return {
    to: order.customerEmail,
    subject: `Your order ${order.orderId} is confirmed`,
    text: [`Thank you for your order ${order.orderId}.`, '', ...lines, '', `Total: ${amount}`].join('\n'),
  };
}

async function loadOrder(orderId: string, orders: OrderStore): Promise<Order> {
  const raw = await orders.get(orderId);
  if (raw === undefined) throw new PermanentJobError(`field "orderId": no such order (given "${orderId}")`);
  return validateOrder(raw);
}

/**
 * PENDING → PROCESSED exactly once: the status change commits in one transaction with the run's
 * completion. An order processed already is a no-op.
 */
export async function processOrder(payload: ProcessOrderPayload, ctx: JobContext, orders: OrderStore): Promise<void> {
  const order = await loadOrder(payload.orderId, orders);
  if (order.status === OrderStatus.PROCESSED) {
    ctx.logger.info('Order already processed; nothing to do', { orderId: order.orderId });
    return;
  }
  const committed = await ctx.completeWith(
    async (completion) => (await orders.markProcessed(order.orderId, ctx.now(), completion)) === 'processed',
  );
  ctx.logger.info(committed ? 'Order processed' : 'Order was processed by another run', { orderId: order.orderId });
}

/**
 * After the commit: the confirmation e-mail, under a deterministic job ID. The runtime replays this on
 * a redelivery of the SUCCEEDED run, so a crash right after the commit delays the e-mail but never
 * loses it, and send-email's own ledger sends it once. Only a PROCESSED order is ever confirmed.
 */
export async function confirmOrder(payload: ProcessOrderPayload, ctx: JobContext, orders: OrderStore): Promise<void> {
  const order = await loadOrder(payload.orderId, orders);
  if (order.status !== OrderStatus.PROCESSED)
    throw new Error(`order "${order.orderId}" is ${order.status}, not PROCESSED; not confirming it`);
  await ctx.enqueue('send-email', confirmationEmail(order), { id: confirmationJobId(order.orderId) });
}
