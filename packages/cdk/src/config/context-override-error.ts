/** Thrown at synth when cdk.json context or `-c` values are invalid; lists every problem at once. */
export class ContextOverrideError extends Error {
  override readonly name = 'ContextOverrideError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid context:\n- ${problems.join('\n- ')}`);
  }
}
