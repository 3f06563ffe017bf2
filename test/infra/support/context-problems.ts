import { ContextOverrideError } from '@serverless-jobs/cdk/config';

/** The problems a synth step reports for bad context; fails the test if it reports none. */
export function problemsOf(attempt: () => unknown): readonly string[] {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ContextOverrideError) return error.problems;
    throw error;
  }
  throw new Error('expected a ContextOverrideError');
}
