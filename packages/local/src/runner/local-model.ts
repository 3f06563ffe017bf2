import { join } from 'node:path';
import { fauxqsQueueUrl } from './emulators.ts';
import type { CloudAssembly, TemplateResource } from './cloud-assembly.ts';
import { type IntrinsicResolver, type Json, PSEUDO_PARAMETERS, resolveIntrinsics } from './intrinsics.ts';
import { type FunctionIdentity, functionIdentities } from './iam/role-policies.ts';

export interface LocalTable {
  readonly logicalId: string;
  readonly name: string;
  /** The template's properties with intrinsics resolved: KeySchema, AttributeDefinitions, GSIs, TTL. */
  readonly properties: Record<string, Json>;
}

export interface LocalQueue {
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly properties: Record<string, Json>;
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly name: string;
  /** The job it runs: the first segment of its construct path, or the logical ID. */
  readonly label: string;
  readonly bundleDir: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Record<string, string>;
  /** What its execution role allows, from the role's policies in the template. */
  readonly identity: FunctionIdentity;
  /** A durable function's DurableConfig: its executions run in the local durable runner, not in a sandbox. */
  readonly durable?: { readonly executionTimeoutSeconds: number; readonly retentionDays: number };
}

export interface LocalMapping {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly queueLogicalId: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: boolean;
}

export interface LocalSchedule {
  readonly logicalId: string;
  readonly name: string;
  readonly kind: 'scheduler' | 'rule';
  readonly expression: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly queueLogicalId: string;
  /** The target input; `<aws.scheduler.scheduled-time>` (or `<time>` for a rule) stands for the occurrence. */
  readonly input: string;
  readonly placeholder: string;
}

/** What the local runner builds and runs, read from the synthesized template alone. */
export interface LocalModel {
  readonly stackName: string;
  readonly tables: readonly LocalTable[];
  readonly queues: readonly LocalQueue[];
  readonly functions: readonly LocalFunction[];
  readonly mappings: readonly LocalMapping[];
  readonly schedules: readonly LocalSchedule[];
  readonly outputs: Record<string, string>;
}

export interface LocalEndpoints {
  readonly sqs: string;
}

const ACCOUNT = PSEUDO_PARAMETERS['AWS::AccountId']!;
const REGION = PSEUDO_PARAMETERS['AWS::Region']!;
/** Every function has one published version locally: its current code. */
const LOCAL_VERSION = '1';

/** A function's unqualified ARN, locally. */
export const functionArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

function durableConfigOf(config: Json | undefined): Pick<LocalFunction, 'durable'> {
  if (config === undefined || config === null || typeof config !== 'object' || Array.isArray(config)) return {};
  const { ExecutionTimeout, RetentionPeriodInDays } = config as Record<string, Json>;
  return {
    durable: { executionTimeoutSeconds: Number(ExecutionTimeout), retentionDays: Number(RetentionPeriodInDays ?? 14) },
  };
}

/** Deterministic local physical names, so a restart finds the tables and queues it created before. */
function physicalName(stackName: string, logicalId: string, max: number): string {
  return `${stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, max);
}

function logicalIdOf(value: Json | undefined, what: string): string {
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  const id = ref?.Ref ?? ref?.['Fn::GetAtt']?.[0];
  if (!id)
    throw new Error(
      `${what}: expected a Ref or Fn::GetAtt to a resource in the stack (given ${JSON.stringify(value)})`,
    );
  return id;
}

export function buildLocalModel(assembly: CloudAssembly, endpoints: LocalEndpoints): LocalModel {
  const { stackName, template } = assembly;
  const entries = Object.entries(template.Resources);
  const ofType = (type: string): [string, TemplateResource][] =>
    entries.filter(([, resource]) => resource.Type === type);
  const names = new Map<string, string>();
  const nameOf = (logicalId: string): string => {
    const max = template.Resources[logicalId]?.Type === 'AWS::SQS::Queue' ? 80 : 255;
    if (!names.has(logicalId)) names.set(logicalId, physicalName(stackName, logicalId, max));
    return names.get(logicalId)!;
  };
  const queueUrl = (logicalId: string): string => fauxqsQueueUrl(endpoints.sqs, nameOf(logicalId));
  const resolver: IntrinsicResolver = {
    ref: (id) => {
      const type = template.Resources[id]?.Type;
      if (!type) throw new Error(`Ref to "${id}", which is not in the stack`);
      if (type === 'AWS::Lambda::Alias' || type === 'AWS::Lambda::Version') return qualifiedArn(id);
      return type === 'AWS::SQS::Queue' ? queueUrl(id) : nameOf(id);
    },
    getAtt: (id, attribute) => {
      const type = template.Resources[id]?.Type ?? '';
      if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${nameOf(id)}`;
      if (type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return queueUrl(id);
      if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return nameOf(id);
      if (type === 'AWS::DynamoDB::Table' && attribute === 'Arn')
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${nameOf(id)}`;
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return functionArn(nameOf(id));
      if (type === 'AWS::Lambda::Version' && attribute === 'Version') return LOCAL_VERSION;
      return `arn:aws:local:${REGION}:${ACCOUNT}:${nameOf(id)}/${attribute}`;
    },
  };
  /** An alias or version as its qualified ARN: `…:function:<name>:live`, `…:function:<name>:1`. */
  const qualifiedArn = (id: string): string => {
    const p = template.Resources[id]?.Properties ?? {};
    const fn = logicalIdOf(p.FunctionName, `${id}.FunctionName`);
    const qualifier = template.Resources[id]?.Type === 'AWS::Lambda::Alias' ? String(p.Name) : LOCAL_VERSION;
    return `${functionArn(nameOf(fn))}:${qualifier}`;
  };
  const props = (resource: TemplateResource): Record<string, Json> =>
    resolveIntrinsics(resource.Properties ?? {}, resolver) as Record<string, Json>;

  const identities = functionIdentities(template.Resources, resolver);
  const functions = ofType('AWS::Lambda::Function').map(([logicalId, resource]): LocalFunction => {
    const p = props(resource);
    const asset = resource.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string')
      throw new Error(`Function ${logicalId} has no aws:asset:path metadata; synthesize with bundling`);
    const path = resource.Metadata?.['aws:cdk:path'];
    const variables = ((p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<
      string,
      Json
    >;
    return {
      logicalId,
      name: nameOf(logicalId),
      label: typeof path === 'string' ? (path.split('/')[1] ?? logicalId) : logicalId,
      bundleDir: join(assembly.dir, asset),
      handler: String(p.Handler ?? 'index.handler'),
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      environment: Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      identity: identities.get(logicalId)!,
      ...durableConfigOf(p.DurableConfig),
    };
  });

  const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([logicalId, resource]): LocalMapping => {
    const p = resource.Properties ?? {};
    return {
      logicalId,
      functionLogicalId: logicalIdOf(p.FunctionName, `${logicalId}.FunctionName`),
      queueLogicalId: logicalIdOf(p.EventSourceArn, `${logicalId}.EventSourceArn`),
      batchSize: Number(p.BatchSize ?? 10),
      batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      maxConcurrency: Number(
        (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 1000,
      ),
      reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as Json[]).includes('ReportBatchItemFailures'),
    };
  });

  const schedulerSchedules = ofType('AWS::Scheduler::Schedule').map(([logicalId, resource]): LocalSchedule => {
    const p = resource.Properties ?? {};
    const target = p.Target as { Arn?: Json; Input?: Json } | undefined;
    return {
      logicalId,
      name: nameOf(logicalId),
      kind: 'scheduler',
      expression: String(p.ScheduleExpression),
      timeZone: String(p.ScheduleExpressionTimezone ?? 'UTC'),
      enabled: p.State !== 'DISABLED',
      queueLogicalId: logicalIdOf(target?.Arn, `${logicalId}.Target.Arn`),
      input:
        typeof target?.Input === 'string'
          ? target.Input
          : JSON.stringify(resolveIntrinsics(target?.Input ?? {}, resolver)),
      placeholder: '<aws.scheduler.scheduled-time>',
    };
  });

  const ruleSchedules = ofType('AWS::Events::Rule')
    .filter(([, resource]) => typeof resource.Properties?.ScheduleExpression === 'string')
    .flatMap(([logicalId, resource]) => {
      const p = resource.Properties ?? {};
      return ((p.Targets ?? []) as { Arn?: Json; Input?: Json; InputTransformer?: { InputTemplate?: Json } }[]).map(
        (target, index): LocalSchedule => ({
          logicalId: `${logicalId}#${index}`,
          name: nameOf(logicalId),
          kind: 'rule',
          expression: String(p.ScheduleExpression),
          timeZone: 'UTC',
          enabled: p.State !== 'DISABLED',
          queueLogicalId: logicalIdOf(target.Arn, `${logicalId}.Targets[${index}].Arn`),
          input: String(target.InputTransformer?.InputTemplate ?? target.Input ?? '{}'),
          placeholder: '<time>',
        }),
      );
    });

  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([key, output]) => [
      key,
      String(resolveIntrinsics(output.Value, resolver)),
    ]),
  );

  return {
    stackName,
    tables: ofType('AWS::DynamoDB::Table').map(([logicalId, resource]) => ({
      logicalId,
      name: nameOf(logicalId),
      properties: props(resource),
    })),
    queues: ofType('AWS::SQS::Queue').map(([logicalId, resource]) => ({
      logicalId,
      name: nameOf(logicalId),
      url: queueUrl(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      properties: props(resource),
    })),
    functions,
    mappings,
    schedules: [...schedulerSchedules, ...ruleSchedules],
    outputs,
  };
}
