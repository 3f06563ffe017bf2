import type { DurableJobContext } from '@serverless-jobs/runtime/durable';
import { isCallbackFailure } from '@serverless-jobs/runtime/durable';
import type { PayloadOf, SettingsOf } from '@serverless-jobs/runtime/jobs';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import type * as z from '@serverless-jobs/runtime/zod';
import { type FulfilmentStore, type Order, OrderStatus } from '#shared/domain/order';
import { type fulfilOrderJob, paymentCallback } from '#shared/jobs/fulfil-order';
import { validateOrder } from '#functions/process-order/process-order';

export type FulfilOrderPayload = PayloadOf<typeof fulfilOrderJob>;
type Context = DurableJobContext<SettingsOf<typeof fulfilOrderJob>>;

/** The e-mail job IDs: one per order and outcome, so a step run again sends nothing twice. */
export const fulfilmentEmailId = (orderId: string, outcome: 'shipped' | 'cancelled'): string =>
  `fulfil-order/${orderId}/${outcome}`;

export function shippedEmail(order: Order, paymentId: string) {
  return {
    to: order.customerEmail,
    subject: `Your order ${order.orderId} has shipped`,
    text: `We received your payment (${paymentId}) and shipped order ${order.orderId}. Thank you.`,
  };
}

export function cancelledEmail(order: Order, timeout: string) {
  return {
    to: order.customerEmail,
    subject: `Your order ${order.orderId} was cancelled`,
    text: `No payment for order ${order.orderId} arrived within ${timeout}, so we cancelled it and released its items.`,
  };
}

async function move(orders: FulfilmentStore, order: Order, from: OrderStatus, to: OrderStatus, at: Date, fields = {}) {
  const result = await orders.move(order.orderId, from, to, at, fields);
  if (!result.moved) {
    throw new PermanentJobError(
      `order "${order.orderId}": field "status" must be ${from} to become ${to} ` +
        `(given ${JSON.stringify(result.status)})`,
    );
  }
}

/**
 * Reserves the order, then waits for its payment: paid, it ships and confirms by e-mail; with no payment within the
 * `paymentTimeout` setting (or a failed one), it cancels the order and tells the customer. Every effect is a step,
 * so a replay or a retry repeats none of them.
 */
export async function fulfilOrder(payload: FulfilOrderPayload, ctx: Context, orders: FulfilmentStore): Promise<void> {
  const order = await ctx.step('reserve', async () => {
    const raw = await orders.get(payload.orderId);
    if (raw === undefined) throw new PermanentJobError(`field "orderId": no such order (given "${payload.orderId}")`);
    const found = validateOrder(raw);
    await move(orders, found, OrderStatus.PENDING, OrderStatus.RESERVED, ctx.now());
    return found;
  });
  let paid: z.output<typeof paymentCallback.data>;
  try {
    paid = await ctx.waitForCallback(paymentCallback, { timeout: ctx.settings.paymentTimeout });
  } catch (error) {
    if (!isCallbackFailure(error)) throw error;
    await ctx.step('cancel', () => move(orders, order, OrderStatus.RESERVED, OrderStatus.CANCELLED, ctx.now()));
    const timeout = ctx.settings.paymentTimeout;
    await ctx.enqueue('send-email', cancelledEmail(order, timeout), {
      id: fulfilmentEmailId(order.orderId, 'cancelled'),
    });
    return;
  }
  await ctx.step('ship', () =>
    move(orders, order, OrderStatus.RESERVED, OrderStatus.SHIPPED, ctx.now(), { paymentId: paid.paymentId }),
  );
  await ctx.enqueue('send-email', shippedEmail(order, paid.paymentId), {
    id: fulfilmentEmailId(order.orderId, 'shipped'),
  });
}
