import { describe, expect, it } from 'vitest';
import { confirmationEmail, validateOrder } from '#functions/process-order/process-order';

const order = {
  orderId: 'o-1',
  status: 'PENDING',
  customerEmail: 'ada@example.com',
  currency: 'EUR',
  totalCents: 2500,
  items: [{ sku: 'book', quantity: 2, unitPriceCents: 1250 }],
};

describe('Function: validateOrder', () => {
  it('accepts an order whose total is the sum of its items', () => {
    expect(validateOrder(order)).toEqual(order);
  });

  it('refuses a malformed record, naming the field and the value', () => {
    expect(() => validateOrder({ ...order, customerEmail: 'nobody' })).toThrow(
      'field "customerEmail": must be a valid e-mail address (given "nobody")',
    );
    expect(() => validateOrder({ ...order, items: [] })).toThrow('field "items": must hold at least one item');
  });

  it("refuses a total that is not the items' sum", () => {
    expect(() => validateOrder({ ...order, totalCents: 1 })).toThrow(
      'field "totalCents" must equal the items\' sum 2500 (given 1)',
    );
  });
});

describe('Function: confirmationEmail', () => {
  it('addresses the customer and states the total', () => {
    expect(confirmationEmail(validateOrder(order))).toEqual({
      to: 'ada@example.com',
      subject: 'Your order o-1 is confirmed',
      text: 'Thank you for your order o-1.\n\n- 2 × book\n\nTotal: 25.00 EUR',
    });
  });
});
