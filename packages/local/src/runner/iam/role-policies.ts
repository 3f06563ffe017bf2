import type { TemplateResource } from '../cloud-assembly.ts';
import { type IntrinsicResolver, type Json, resolveIntrinsics } from '../intrinsics.ts';

/** One statement of an identity policy, its intrinsics resolved to local names and ARNs. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  /** Action, as given (`dynamodb:GetItem`, `sqs:*`); matched without regard to case. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Condition: operator → key → values. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Where it comes from, for the log: the policy's logical ID, or `<role>.Policies[i]` for an inline policy. */
  readonly source: string;
}

/** What a function may do: the statements of its execution role's policies in the stack. */
export interface FunctionIdentity {
  readonly functionLogicalId: string;
  /** '' when the function's Role is not a Fn::GetAtt to a role in the stack: it is then allowed nothing. */
  readonly roleLogicalId: string;
  /** Physical names, as the resolver gives them: an AccessDenied message names `assumed-role/<role>/<function>`. */
  readonly functionName: string;
  /** The role's name; for a role outside the stack, the last segment of its ARN. */
  readonly roleName: string;
  readonly statements: readonly PolicyStatement[];
  /** Managed policies from outside the stack (AWSLambdaBasicExecutionRole, ...), by ARN: they grant nothing here. */
  readonly managedPolicies: readonly string[];
  /** Statements whose intrinsics do not resolve locally: an Allow is left out, a Deny denies its actions on `*`. */
  readonly unresolved: readonly string[];
}

type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: Json): string =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : `${value}`;
const list = (value: Json | undefined): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(text);
const refTo = (value: Json | undefined): string | undefined =>
  isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;

function toStatement(statement: JsonObject, source: string): PolicyStatement {
  const conditions = Object.entries(isObject(statement.Condition) ? statement.Condition : {}).map(
    ([operator, keys]) =>
      [
        operator,
        Object.fromEntries(Object.entries(isObject(keys) ? keys : {}).map(([k, v]) => [k, list(v) ?? []])),
      ] as const,
  );
  const field = (name: string, value: string[] | undefined) => (value ? { [name]: value } : {});
  return {
    // Anything but Allow denies: IAM would refuse such a document; here it must not grant.
    effect: statement.Effect === 'Allow' ? 'Allow' : 'Deny',
    ...field('actions', list(statement.Action)),
    ...field('notActions', list(statement.NotAction)),
    ...field('resources', list(statement.Resource)),
    ...field('notResources', list(statement.NotResource)),
    conditions: Object.fromEntries(conditions),
    source,
  };
}

/** A policy document's statements, each resolved on its own so that one bad reference costs one statement. */
function statementsOf(
  document: Json | undefined,
  source: string,
  resolver: IntrinsicResolver,
  unresolved: string[],
): PolicyStatement[] {
  const raw = isObject(document) ? document.Statement : undefined;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(isObject);
  return statements.flatMap((statement, index): PolicyStatement[] => {
    try {
      return [toStatement(resolveIntrinsics(statement, resolver) as JsonObject, source)];
    } catch (error) {
      unresolved.push(`${source} statement ${index}: ${(error as Error).message}`);
      if (statement.Effect === 'Allow') return [];
      let actions = ['*'];
      try {
        if (statement.Action !== undefined) actions = list(resolveIntrinsics(statement.Action, resolver)) ?? actions;
      } catch {
        // its actions do not resolve either: it denies everything
      }
      return [{ effect: 'Deny', actions, resources: ['*'], conditions: {}, source }];
    }
  });
}

function roleStatements(
  roleId: string,
  resources: Record<string, TemplateResource>,
  resolver: IntrinsicResolver,
): Pick<FunctionIdentity, 'statements' | 'managedPolicies' | 'unresolved'> {
  const unresolved: string[] = [];
  const statements: PolicyStatement[] = [];
  const role = resources[roleId]?.Properties ?? {};
  const attached = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    const p = resource.Properties ?? {};
    const roles = Array.isArray(p.Roles) ? p.Roles : [];
    const isAttached =
      ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
        roles.some((entry) => refTo(entry) === roleId)) ||
      (resource.Type === 'AWS::IAM::RolePolicy' && refTo(p.RoleName) === roleId);
    if (isAttached) attached.add(id);
  }
  const managedPolicies: string[] = [];
  for (const arn of Array.isArray(role.ManagedPolicyArns) ? role.ManagedPolicyArns : []) {
    const id = refTo(arn);
    if (id && resources[id]?.Type === 'AWS::IAM::ManagedPolicy') attached.add(id);
    else managedPolicies.push(resolvedText(arn, resolver));
  }
  for (const id of attached) {
    statements.push(...statementsOf(resources[id]?.Properties?.PolicyDocument, id, resolver, unresolved));
  }
  const inline = Array.isArray(role.Policies) ? role.Policies : [];
  inline.forEach((policy, index) => {
    const document = isObject(policy) ? policy.PolicyDocument : undefined;
    statements.push(...statementsOf(document, `${roleId}.Policies[${index}]`, resolver, unresolved));
  });
  return { statements, managedPolicies, unresolved };
}

function resolvedText(value: Json, resolver: IntrinsicResolver): string {
  try {
    return text(resolveIntrinsics(value, resolver));
  } catch {
    return JSON.stringify(value);
  }
}

/** The role a function's `Role` names: a Fn::GetAtt to an AWS::IAM::Role in the stack, else ''. */
function roleIdOf(value: Json | undefined, resources: Record<string, TemplateResource>): string {
  const getAtt = isObject(value) ? value['Fn::GetAtt'] : undefined;
  const [id, attribute] = Array.isArray(getAtt) ? getAtt : typeof getAtt === 'string' ? getAtt.split('.') : [];
  const isRole = typeof id === 'string' && resources[id]?.Type === 'AWS::IAM::Role';
  return isRole && attribute === 'Arn' ? id : '';
}

/** The identity of a function with no role in the stack (or none at all): allowed nothing. */
export function roleLessIdentity(functionLogicalId: string, functionName: string, roleName = ''): FunctionIdentity {
  return {
    functionLogicalId,
    roleLogicalId: '',
    functionName,
    roleName,
    statements: [],
    managedPolicies: [],
    unresolved: [],
  };
}

/**
 * Each function's identity, by logical ID: the statements of every AWS::IAM::Policy (and in-stack managed or role
 * policy) attached to its role, and of the role's inline Policies. A function whose role is not in the stack gets
 * none, so it is allowed nothing.
 */
export function functionIdentities(
  resources: Record<string, TemplateResource>,
  resolver: IntrinsicResolver,
): Map<string, FunctionIdentity> {
  const identities = new Map<string, FunctionIdentity>();
  for (const [functionLogicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const role = resource.Properties?.Role;
    const roleLogicalId = roleIdOf(role, resources);
    const functionName = resolver.ref(functionLogicalId);
    if (!roleLogicalId) {
      const roleName =
        resolvedText(role ?? null, resolver)
          .split('/')
          .pop() ?? '';
      identities.set(functionLogicalId, roleLessIdentity(functionLogicalId, functionName, roleName));
      continue;
    }
    identities.set(functionLogicalId, {
      functionLogicalId,
      roleLogicalId,
      functionName,
      roleName: resolver.ref(roleLogicalId),
      ...roleStatements(roleLogicalId, resources, resolver),
    });
  }
  return identities;
}
