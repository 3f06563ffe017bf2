import {
  CallbackError,
  CallbackExternalError,
  CallbackSubmitterError,
  CallbackTimeoutError,
  DurableOperationError,
  StepError,
} from '@aws/durable-execution-sdk-js';
import { describe, expect, it } from 'vitest';
import { isCallbackFailure } from '@serverless-jobs/runtime/durable';

describe('isCallbackFailure', () => {
  it('is true for every callback error of the durable SDK, and for one rebuilt on replay', () => {
    for (const error of [
      new CallbackError('failed'),
      new CallbackExternalError('declined'),
      new CallbackTimeoutError('timed out'),
      new CallbackSubmitterError('no submit'),
      DurableOperationError.fromErrorObject({ ErrorType: 'CallbackTimeoutError', ErrorMessage: 'timed out' }),
    ])
      expect(isCallbackFailure(error)).toBe(true);
  });

  it('is false for a step error, a plain error and a value that is no error', () => {
    expect(isCallbackFailure(new StepError('step failed'))).toBe(false);
    expect(isCallbackFailure(new Error('CallbackError'))).toBe(false);
    expect(isCallbackFailure(undefined)).toBe(false);
    expect(isCallbackFailure('CallbackError')).toBe(false);
  });
});
