import * as z from '@serverless-jobs/runtime/zod';
import { emailAddress } from '#shared/jobs/email-fields';
import type { RunCompletion } from '@serverless-jobs/runtime/runtime';

export const OrderStatus = { PENDING: 'PENDING', PROCESSED: 'PROCESSED' } as const;

/** An order as stored; a record that does not match is a permanent failure of its job, never a crash. */
export const orderRecord = z.object({
  orderId: z.string().check(z.minLength(1)),
  status: z.enum([OrderStatus.PENDING, OrderStatus.PROCESSED]),
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
