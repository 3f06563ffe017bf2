import type { Template } from 'aws-cdk-lib/assertions';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** The resources of a template, by logical ID. */
export const resourcesOf = (template: Template): Record<string, CfnResource> =>
  template.toJSON().Resources as Record<string, CfnResource>;

/**
 * The property that holds a resource's own physical name, by type. A type the stack makes and this map does
 * not know fails `physicalNames`, so a new resource type cannot slip past the stage tests unnamed.
 */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::SES::EmailIdentity': 'EmailIdentity',
};

/**
 * Types with no account-wide name of their own: an inline policy's name is unique only within its role,
 * and the rest are known by the resource they attach to.
 */
const UNNAMED_TYPES = new Set([
  'AWS::IAM::Policy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
]);

/** A resource's explicit physical name, or undefined where CloudFormation generates a unique one. */
export function physicalNameOf(resource: CfnResource, logicalId: string): string | undefined {
  if (UNNAMED_TYPES.has(resource.Type)) return undefined;
  const property = NAME_PROPERTY[resource.Type];
  if (!property) throw new Error(`${logicalId}: the stage tests do not know where ${resource.Type} keeps its name`);
  const name = resource.Properties?.[property];
  if (name === undefined) return undefined;
  if (typeof name !== 'string')
    throw new Error(`${logicalId}: ${property} is not a plain string: ${JSON.stringify(name)}`);
  return name;
}

/** Every explicit physical name in the template, as `<type> <name>`. */
export function physicalNames(template: Template): string[] {
  return Object.entries(resourcesOf(template)).flatMap(([id, resource]) => {
    const name = physicalNameOf(resource, id);
    return name === undefined ? [] : [`${resource.Type} ${name}`];
  });
}

/**
 * A template value with every reference to the stack's own resources written as `<stack>/<logical ID>`: a Ref or
 * GetAtt names a resource of the stack it is in, so the same logical ID in two stacks is two resources.
 */
export function qualify(value: unknown, stack: string): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return object.Ref.startsWith('AWS::') ? object.Ref : `${stack}/${object.Ref}`;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `${stack}/${getAtt.join('.')}`;
  const join = object['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((part) => qualify(part, stack)).join(separator);
  }
  throw new Error(`Cannot qualify ${JSON.stringify(value)}`);
}

interface MetricStat {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: unknown }[];
}

const identity = (namespace: string, name: string, dimensions: readonly (readonly [string, string])[]): string =>
  `${namespace} ${name} ${[...dimensions]
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join(',')}`;

const statIdentity = (stat: MetricStat, stack: string): string =>
  identity(
    stat.Namespace,
    stat.MetricName,
    (stat.Dimensions ?? []).map((d) => [d.Name, qualify(d.Value, stack)] as const),
  );

/** `namespace name dim=value,…` of each metric an alarm reads, references qualified with the stack. */
export function alarmMetrics(template: Template, stack: string): Map<string, string[]> {
  const byAlarm = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resourcesOf(template))) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
    const props = resource.Properties as unknown as MetricStat & {
      readonly Metrics?: readonly { readonly MetricStat?: { readonly Metric: MetricStat } }[];
    };
    const stats = props.MetricName
      ? [props]
      : (props.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    byAlarm.set(
      id,
      stats.map((stat) => statIdentity(stat, stack)),
    );
  }
  return byAlarm;
}

/** `namespace name dim=value,…` of each metric the template's dashboards graph, references qualified. */
export function dashboardMetrics(template: Template, stack: string): string[] {
  const found: string[] = [];
  for (const resource of Object.values(resourcesOf(template))) {
    if (resource.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = JSON.parse(qualify(resource.Properties?.DashboardBody, stack)) as {
      readonly widgets: readonly { readonly properties?: { readonly metrics?: readonly unknown[][] } }[];
    };
    for (const widget of body.widgets) {
      for (const line of widget.properties?.metrics ?? []) {
        const plain = line.filter((part): part is string => typeof part === 'string');
        if (plain.length < 2) continue;
        const [namespace, name, ...rest] = plain;
        const dimensions = Array.from({ length: rest.length / 2 }, (_, i) => [rest[2 * i]!, rest[2 * i + 1]!] as const);
        found.push(identity(namespace!, name!, dimensions));
      }
    }
  }
  return found;
}

/** The POWERTOOLS_METRICS_NAMESPACE of each function: where its EMF metrics go. */
export function functionNamespaces(template: Template): string[] {
  return Object.values(resourcesOf(template))
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => {
      const env = resource.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
      return String(env?.Variables.POWERTOOLS_METRICS_NAMESPACE);
    });
}
