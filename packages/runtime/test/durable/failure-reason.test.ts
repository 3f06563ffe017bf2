import { describe, expect, it } from 'vitest';
import { failureReason } from '../../src/durable/failure-reason.ts';
import { PermanentJobError } from '../../src/runtime/errors.ts';

/** The SDK's StepError as a minified bundle has it: its class, and so its name, renamed. */
class Te extends Error {
  readonly errorType = 'StepError';
  constructor(message: string, cause?: Error) {
    super(message, { cause });
    this.name = this.constructor.name;
  }
}

describe('failureReason', () => {
  it('gives the error a step threw, not the wrapper that repeats it', () => {
    const thrown = new PermanentJobError('order "demo-001": field "status" must be PENDING (given "PROCESSED")');
    expect(failureReason(new Te(thrown.message, thrown))).toBe(
      'PermanentJobError: order "demo-001": field "status" must be PENDING (given "PROCESSED")',
    );
  });

  it('names a wrapper by its errorType, with a cause that says more in brackets', () => {
    expect(failureReason(new Te('Step failed', new Error('socket hang up')))).toBe(
      'StepError: Step failed (Error: socket hang up)',
    );
  });

  it('names any other error by its name, and cuts a long reason at 2,000 characters', () => {
    expect(failureReason(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(failureReason('plain')).toBe('plain');
    expect(failureReason(new Error('y'.repeat(3000)))).toHaveLength(2000);
  });
});
