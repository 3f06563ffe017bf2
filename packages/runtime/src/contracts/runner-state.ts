import * as z from '../runtime/zod-mini.ts';

/** The file in the local runner's data folder that tells the CLI and the scripts where the running stack is. */
export const RUNNER_STATE_FILE = 'runner.json';

const runnerStateSchema = z.looseObject({
  pid: z.number().check(z.int()),
  childPids: z.optional(z.array(z.number().check(z.int()))),
  stackName: z.string(),
  endpoints: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), z.string()),
  /** The control API: every change carries `x-jobs-token: <token>`. Absent until the dashboard serves. */
  dashboard: z.optional(z.looseObject({ url: z.string(), token: z.string() })),
});

/** What a running local stack writes to `<dataDir>/runner.json` (its only producer is the local runner). */
export type RunnerState = z.infer<typeof runnerStateSchema>;

/** The state read back, or undefined when it is not a runner state (half-written, or from another version). */
export function parseRunnerState(value: unknown): RunnerState | undefined {
  const parsed = z.safeParse(runnerStateSchema, value);
  return parsed.success ? parsed.data : undefined;
}
