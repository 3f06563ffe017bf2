/** Parent → durable host. */
export type DurableHostRequest =
  | {
      readonly type: 'start';
      readonly requestId: string;
      /** The execution's name (InvokeCommand's DurableExecutionName), or a generated one. */
      readonly name: string;
      /** The start event as JSON, as Lambda passes the Invoke payload. */
      readonly payload: string;
      /** The function's ARN as invoked (qualified), which the execution's ARN starts with. */
      readonly functionArn: string;
    }
  | {
      readonly type: 'callback';
      readonly requestId: string;
      readonly callbackId: string;
      readonly outcome:
        | { readonly kind: 'succeed'; readonly result: string }
        | { readonly kind: 'fail'; readonly error: { readonly ErrorType?: string; readonly ErrorMessage?: string } }
        | { readonly kind: 'heartbeat' };
    };

/** Durable host → parent. */
export type DurableHostReply =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly requestId: string; readonly arn: string }
  /** A start whose name is taken by an execution with another payload, or a callback that is not known. */
  | { readonly type: 'refused'; readonly requestId: string; readonly code: string; readonly message: string }
  | { readonly type: 'done'; readonly requestId: string }
  | {
      readonly type: 'finished';
      readonly name: string;
      /** The execution's status; `run`, the run's ending it returned (SUCCEEDED, CANCELLED). */
      readonly status: string;
      readonly run?: string;
      readonly error?: string;
    };
