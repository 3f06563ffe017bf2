import type { Template } from 'aws-cdk-lib/assertions';
import type { JobsStack } from '@serverless-jobs/cdk/constructs';
import { logicalIdOf } from '#test/infra/support/synth-jobs-app';

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

interface PolicyDocument {
  readonly Statement: readonly Statement[];
}

interface PolicyResource {
  readonly Properties: { readonly Roles?: readonly unknown[]; readonly PolicyDocument: PolicyDocument };
}

interface RoleResource {
  readonly Properties: {
    readonly Policies?: readonly { readonly PolicyDocument: PolicyDocument }[];
    readonly ManagedPolicyArns?: readonly unknown[];
  };
}

/** Per resource, the actions a role may take on it: `{ 'table Orders': ['GetItem', 'UpdateItem'] }`. */
export type ResourceActions = Record<string, readonly string[]>;

/**
 * Names for the resources a function's role can point at: `queue <job>`, `dlq <job>`, `logs`, `table <id>`
 * (and `table <id>/index <name>`), `ses <identity>`, and a durable job's `durable logs`, `durable alias` and
 * `durable executions` (`<function ARN>:*`), so a test can write a role's grants out readably.
 */
function resourceNamer(stack: JobsStack): (resource: unknown) => string {
  const names = new Map<string, string>();
  for (const { design, table } of stack.tables.all) names.set(logicalIdOf(table), `table ${design.id}`);
  for (const worker of stack.workers) {
    names.set(logicalIdOf(worker.queue), `queue ${worker.jobName}`);
    names.set(logicalIdOf(worker.deadLetterQueue), `dlq ${worker.jobName}`);
    names.set(logicalIdOf(worker.logGroup), 'logs');
    if (worker.durable) {
      names.set(logicalIdOf(worker.durable.logGroup), 'durable logs');
      names.set(logicalIdOf(worker.durable.alias), 'durable alias');
      names.set(logicalIdOf(worker.durable.fn), 'durable executions');
    }
  }
  return (resource) => {
    const text = JSON.stringify(resource);
    const ses = /:ses:.*:identity\/([^"]+)"/.exec(text);
    if (ses) return `ses ${ses[1]}`;
    const [logicalId] = [...names.keys()].filter((id) => text.includes(`"${id}"`));
    if (!logicalId) throw new Error(`A role grants an action on a resource the test cannot name: ${text}`);
    const index = /\/index\/([^"]+)"/.exec(text);
    return index ? `${names.get(logicalId)}/index ${index[1]}` : names.get(logicalId)!;
  };
}

/**
 * Every Allow of every IAM policy of each job function's role (its inline policies, and the policies and managed
 * policies attached to it), by job, then by resource, with the service prefix dropped from `dynamodb:`, `sqs:`
 * and `logs:` actions. A managed policy ARN on the role shows as `managed <ARN>`. Sorted, so a test can compare
 * it whole.
 */
export function roleActions(template: Template, stack: JobsStack): Record<string, ResourceActions> {
  const nameOf = resourceNamer(stack);
  const policies = [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ] as PolicyResource[];
  const roles = template.toJSON().Resources as Record<string, RoleResource>;
  const byJob: Record<string, ResourceActions> = {};
  for (const worker of stack.workers) {
    const role = JSON.stringify({ Ref: logicalIdOf(worker.role) });
    const own = roles[logicalIdOf(worker.role)]?.Properties ?? {};
    const grants = new Map<string, Set<string>>();
    for (const arn of own.ManagedPolicyArns ?? []) grants.set(`managed ${JSON.stringify(arn)}`, new Set(['*']));
    const statements = [
      ...(own.Policies ?? []).map((policy) => policy.PolicyDocument),
      ...policies
        .filter((policy) => (policy.Properties.Roles ?? []).some((ref) => JSON.stringify(ref) === role))
        .map((policy) => policy.Properties.PolicyDocument),
    ]
      .flatMap((document) => document.Statement)
      .filter((statement) => statement.Effect === 'Allow');
    for (const statement of statements) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const resource of resources) {
        const name = nameOf(resource);
        const actions = grants.get(name) ?? new Set<string>();
        for (const action of ([] as string[]).concat(statement.Action))
          actions.add(action.replace(/^(dynamodb|sqs|logs):/, ''));
        grants.set(name, actions);
      }
    }
    byJob[worker.jobName] = Object.fromEntries(
      [...grants.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, actions]) => [name, [...actions].sort()]),
    );
  }
  return byJob;
}
