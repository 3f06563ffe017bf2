import * as z from '@serverless-jobs/runtime/zod';
import { emailAddress } from '#shared/jobs/email-fields';
import type { RunCompletion } from '@serverless-jobs/runtime/runtime';

/**
 * PENDING → PROCESSED (process-order); or, through fulfilment (fulfil-order), PENDING → RESERVED → SHIPPED, or
 * RESERVED → CANCELLED when no payment came.
 */
export const OrderStatus = {
  PENDING: 'PENDING',
  PROCESSED: 'PROCESSED',
  RESERVED: 'RESERVED',
  SHIPPED: 'SHIPPED',
  CANCELLED: 'CANCELLED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** An order's ID in a job's payload: what the orders table keys on, and safe in a job ID. */
export const orderId = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[\w-]+$/, 'must be letters, digits, _ or -'));

/** An order as stored; a record that does not match is a permanent failure of its job, never a crash. */
export const orderRecord = z.object({
  orderId: z.string().check(z.minLength(1)),
  status: z.enum(Object.values(OrderStatus)),
  customerEmail: emailAddress,
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "EUR"')),
  totalCents: z.number().check(z.int(), z.nonnegative()),
  items: z
    .array(
      z.object({
        sku: z.string().check(z.minLength(1)),
        quantity: z.number().check(z.int(), z.positive()),
        unitPriceCents: z.number().check(z.int(), z.nonnegative()),
      }),
    )
    .check(z.minLength(1, 'must hold at least one item')),
});
export type Order = z.infer<typeof orderRecord>;

export type MarkProcessedResult = 'processed' | 'not-pending';

export interface OrderStore {
  /** The raw stored record, or undefined when there is no such order. */
  get(orderId: string): Promise<unknown>;
  /**
   * PENDING → PROCESSED in one transaction with the run's completion. 'not-pending' when the order
   * was no longer PENDING (nothing written); throws LeaseLostError when the run lost its lease.
   */
  markProcessed(orderId: string, processedAt: Date, completion: RunCompletion): Promise<MarkProcessedResult>;
}

/** What a status move found: done now, done before (a step run again), or the order in another status. */
export type MoveResult =
  | { readonly moved: true; readonly already: boolean }
  | { readonly moved: false; readonly status: string | undefined };

/** The fulfilment's view of the orders: each move is one conditional write, from one status to the next. */
export interface FulfilmentStore {
  get(orderId: string): Promise<unknown>;
  /** `from` → `to`, setting `<to in lower case>At` and `fields`; an order at `to` already counts as moved. */
  move(
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    at: Date,
    fields?: Readonly<Record<string, string>>,
  ): Promise<MoveResult>;
}
