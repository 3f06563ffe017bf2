import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { OpsTargetError, OpsUnreachableError } from './errors.ts';

/** The stack of a stage: `ServerlessJobs-dev`. */
export const stackNameOf = (stage: string): string => `ServerlessJobs-${stage}`;

/** One stack output, or an error that names the key and what to do. */
export function requireOutput(outputs: Readonly<Record<string, string>>, key: string): string {
  const value = outputs[key];
  if (value === undefined || value === '') {
    throw new OpsTargetError(
      `The stack has no output "${key}"; deploy the current version of the app (cdk deploy) and try again`,
    );
  }
  return value;
}

/** The outputs of a deployed stack, by key. */
export async function loadStackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  let stacks: Stack[];
  try {
    ({ Stacks: stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new OpsUnreachableError(
      `Cannot read stack "${stackName}" (${message}); check --stage, the region and the credentials`,
      { cause: error, detail: `${stackName}: ${message}` },
    );
  }
  const stack = stacks[0];
  if (!stack)
    throw new OpsUnreachableError(`Stack "${stackName}" not found; check --stage and the region`, {
      detail: `${stackName}: no such stack`,
    });
  return Object.fromEntries(
    (stack.Outputs ?? []).flatMap((o) =>
      o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
    ),
  );
}
