/** Parent → sandbox: run one invocation. */
export interface SandboxRequest {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadline: number;
}

/** Sandbox → parent. */
export type SandboxReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly requestId: string; readonly result: unknown }
  | { readonly type: 'error'; readonly requestId: string; readonly error: string };
