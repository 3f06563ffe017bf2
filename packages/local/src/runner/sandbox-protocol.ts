/** Parent → sandbox: run one invocation. */
export interface SandboxRequest {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadline: number;
  /** The invocation's X-Ray trace header, which Lambda hands it in `_X_AMZN_TRACE_ID`. */
  readonly traceHeader: string;
}

/** Sandbox → parent. */
export type SandboxReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly requestId: string; readonly result: unknown }
  | { readonly type: 'error'; readonly requestId: string; readonly error: string };
