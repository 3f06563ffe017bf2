import type { LocalFunction, LocalModel } from '../local-model.ts';
import type { Caller, CheckedService, Refusal } from './access-checker.ts';

/** The access key of the operator clients (the CLI, the dashboard, seeding, the tests' helpers): full access. */
export const OPERATOR_ACCESS_KEY = 'local';

/**
 * A function's own access key ID: its name, so a refusal names the function that asked, in letters and digits only
 * (DynamoDB Local refuses any other key as UnrecognizedClientException).
 */
export const functionAccessKey = (fn: LocalFunction): string => fn.name.replace(/[^A-Za-z0-9]/g, '');

/** Every function of the stack as the checker knows it, by its access key ID. */
export function callersOf(model: LocalModel): Map<string, Caller> {
  return new Map(
    model.functions.map((fn): [string, Caller] => [
      functionAccessKey(fn),
      {
        label: fn.label,
        functionName: fn.name,
        roleName: fn.identity.roleName,
        statements: fn.identity.statements,
      },
    ]),
  );
}

/** What a function's sandbox gets instead of the emulators' endpoints and the operator's key. */
export function checkedEnvironment(
  fn: LocalFunction,
  endpoints: Readonly<Record<CheckedService, string>>,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ACCESS_KEY_ID: functionAccessKey(fn),
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

/** The runner's line for a refused request: what was asked, and the grant or condition that is missing. */
export function refusalLine(refusal: Refusal): string {
  return `IAM refused ${refusal.what} to ${refusal.caller}: ${refusal.why}`;
}
