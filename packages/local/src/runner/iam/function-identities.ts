import { TABLE_ACCESS_ACTIONS, type TableAccess } from '@serverless-jobs/runtime/jobs';
import type { LocalFunction, LocalModel } from '../local-model.ts';
import type { Caller, CheckedService, Refusal } from './access-checker.ts';
import type { DirectRoute } from './direct-route.ts';

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

/** What a function's sandbox needs to check its own DynamoDB requests and skip the checker's hop for those allowed. */
export function directRouteOf(fn: LocalFunction, checked: string, direct: string): DirectRoute {
  return { checked, direct, accessKeyId: functionAccessKey(fn), statements: fn.identity.statements };
}

/** What in a job's declaration grants `action`, when the framework grants it from a declaration. */
export function declarationHint(action: string): string | undefined {
  const access = (Object.keys(TABLE_ACCESS_ACTIONS) as TableAccess[]).find((one) =>
    TABLE_ACCESS_ACTIONS[one].some((granted) => granted.toLowerCase() === action.toLowerCase()),
  );
  if (access) return `access '${access}' on the table in the job's resources.tables grants it`;
  if (/^sqs:SendMessage$/i.test(action)) return "naming the target job in the job's resources.enqueues grants it";
  if (/^ses:Send(Raw)?Email$/i.test(action))
    return "resources.sendsEmail grants it, from the app's emailFrom address only";
  return undefined;
}

/** The runner's line for a refused request: what was asked, the grant or condition missing, and what would grant it. */
export function refusalLine(refusal: Refusal): string {
  const hint = refusal.action === undefined ? undefined : declarationHint(refusal.action);
  return `IAM refused ${refusal.what} to ${refusal.caller}: ${refusal.why}${hint ? `; ${hint}` : ''}`;
}
