import { dirname } from 'node:path';
import { Annotations, ArnFormat, AssetHashType, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EnvVar, functionEnvironment, queueUrlVariable } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '@serverless-jobs/runtime/runtime';
import { ContextOverrideError } from '../config/context-override-error.ts';
import { parseContextValue, quoteContext } from '../config/context-value.ts';
import type { ResolvedJob } from '../config/resolve-jobs.ts';
import { RECEIVE_COUNT_MARGIN, VISIBILITY_FACTOR } from './constants.ts';
import { DurableFunction } from './durable-function.ts';
import { BUNDLE_ENTRY, FunctionBundle } from './function-bundle.ts';
import type { JobTables } from './job-tables.ts';
import { type LogLevel, logLevelFromContext } from './log-level.ts';
import { grantTableAccess, grantTableActions, LEDGER_ACTIONS } from './table-access.ts';

/**
 * What the function's role does to its own queue: the event source mapping polls with it (ReceiveMessage,
 * DeleteMessage, GetQueueAttributes), and the runtime sets a record's retry delay (ChangeMessageVisibility).
 */
const CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
];

/** The context key that turns X-Ray active tracing on or off: `-c tracing=true` on the deploy of a stage. */
export const TRACING_CONTEXT = 'tracing';

/**
 * The context's `tracing`, off when absent: a trace costs money per recorded request, and its grant is the one
 * wildcard resource a role would have.
 * @throws ContextOverrideError for a value other than true or false
 */
export function tracingFromContext(scope: Construct): boolean {
  const raw: unknown = scope.node.tryGetContext(TRACING_CONTEXT);
  if (raw === undefined) return false;
  let value: unknown;
  try {
    value = parseContextValue(raw);
  } catch {
    value = raw;
  }
  if (typeof value !== 'boolean')
    throw new ContextOverrideError([`${quoteContext(TRACING_CONTEXT, raw)}: expected true or false`]);
  return value;
}

export interface JobWorkerProps {
  readonly job: ResolvedJob;
  readonly tables: JobTables;
  /** SES sender; required when the job declares `sendsEmail`. @default - none */
  readonly emailFrom?: string;
  /** The absolute path of the function's entry file, which exports `handler`. */
  readonly entry: string;
  /**
   * Package export conditions for esbuild, for an app that resolves packages to their sources.
   * @default the `--conditions` this process runs with
   */
  readonly conditions?: readonly string[];
  /** Retention of the function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Variables compiled into the bundle rather than set in the function's environment, which Lambda caps at
   * 4 KB in all: for what grows with the number of jobs. The code reads them as `process.env.NAME`. @default - none
   */
  readonly inlinedEnvironment?: Readonly<Record<string, string>>;
  /**
   * X-Ray active tracing of the function. Off, Lambda still hands each invocation a trace ID, which the runtime
   * writes on the ledger and the logs; only nothing is recorded in X-Ray. @default the context's `tracing`, else false
   */
  readonly tracing?: boolean;
  /**
   * The CloudWatch namespace the runtime writes the job's metrics to (POWERTOOLS_METRICS_NAMESPACE); one per
   * stage, so two stages' alarms never read each other's metrics. @default METRICS_NAMESPACE ('ServerlessJobs')
   */
  readonly metricsNamespace?: string;
  /**
   * The functions' log level (POWERTOOLS_LOG_LEVEL). At INFO a successful run prints no line of its own; DEBUG adds
   * each run's "Job succeeded" line and the handlers' detail. @default the context's `logLevel`, else none: INFO
   */
  readonly logLevel?: LogLevel;
}

/**
 * One job's worker: its queue and DLQ, its function with its own role and log group, the event source
 * mapping, and the least-privilege grants its declaration asks for.
 */
export class JobWorker extends Construct {
  readonly jobName: string;
  readonly declaration: JobDeclaration;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly fn: lambda.Function;
  /** Where the job's EMF metrics go: what its alarms and dashboard graphs must read. */
  readonly metricsNamespace: string;
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
  /** A durable job's execution function; `fn` is then its starter. */
  readonly durable?: DurableFunction;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const job = props.job.declaration;
    this.jobName = job.name;
    this.declaration = job;
    this.metricsNamespace = props.metricsNamespace ?? METRICS_NAMESPACE;
    if (job.resources.sendsEmail && !props.emailFrom) {
      throw new Error(
        `${job.name}: sends e-mail but no emailFrom was given (given ${JSON.stringify(props.emailFrom)})`,
      );
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(job.dlqRetentionDays),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(job.queueRetentionDays),
      visibilityTimeout: Duration.seconds(VISIBILITY_FACTOR * (job.timeoutSeconds + job.batchingWindowSeconds)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: job.retry.attempts + RECEIVE_COUNT_MARGIN },
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${job.name} job`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Standard on purpose: Infrequent Access halves ingestion but extracts no EMF metrics, which the alarms read.
      logGroupClass: logs.LogGroupClass.STANDARD,
    });
    this.logGroup.grantWrite(this.role);

    // Bundled locally, in this process; skipped where the context's aws:cdk:bundling-stacks leaves the stack out.
    const code = lambda.Code.fromAsset(dirname(props.entry), {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        local: new FunctionBundle(props.entry, props.inlinedEnvironment, props.conditions),
        // Never pulled: the local bundling above always succeeds or throws.
        image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      },
    });
    this.fn = new lambda.Function(this, 'Function', {
      code,
      handler: `${BUNDLE_ENTRY}.handler`,
      description: job.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(job.timeoutSeconds),
      memorySize: job.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      environment: this.environment(props),
    });
    // SqsEventSource's construct ID, so the mapping keeps its logical ID; not SqsEventSource itself, whose grant
    // adds sqs:GetQueueUrl, which nothing here calls.
    this.fn.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(this.queue.node)}`, {
      eventSourceArn: this.queue.queueArn,
      batchSize: job.batchSize,
      ...(job.batchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(job.batchingWindowSeconds) } : {}),
      reportBatchItemFailures: true,
      maxConcurrency: job.maxConcurrency,
    });
    this.tracing = props.tracing ?? tracingFromContext(this);
    const tracingPolicy = this.tracing ? this.traceActively() : undefined;
    if (job.durable) {
      this.durable = new DurableFunction(this, 'Durable', {
        job,
        code,
        role: this.role,
        environment: this.environment(props),
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        tracing: this.tracing,
        ledgerTableArn: props.tables.ledger.table.tableArn,
      });
      this.fn.addEnvironment(EnvVar.DURABLE_FUNCTION, this.durable.alias.functionArn);
      if (tracingPolicy) this.durable.fn.node.addDependency(tracingPolicy);
    }
    this.grantAccess(props);
    this.acknowledgeServerlessFindings();
  }

  /**
   * Active tracing, with its grant in a policy of its own, so that the acknowledgement of its wildcard resource
   * covers that statement only and a wildcard anywhere else in the role still fails the synth.
   */
  private traceActively(): iam.Policy {
    (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const policy = new iam.Policy(this, 'TracingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    // Lambda refuses active tracing to a function whose role cannot write segments yet.
    this.fn.node.addDependency(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions: IAM takes ' +
        'only Resource "*" for them (see the X-Ray actions in the Service Authorization Reference). ' +
        'This policy holds these two actions and nothing else.',
    });
    return policy;
  }

  /**
   * cdk-nag's Serverless pack: the findings that do not fit a queue-driven worker, each with its reason.
   * Scoped to this worker's resources, so a new resource elsewhere is still checked.
   */
  private acknowledgeServerlessFindings(): void {
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless::Serverless-SQSRedrivePolicy',
      reason:
        'This queue is the dead-letter queue: the end of the line. Its messages go back to the job ' +
        'queue only by an operator redrive (jobs-cli redrive), never automatically.',
    });
    Validations.of(this.fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'The function is invoked only by its SQS event source mapping (synchronously), never ' +
        'asynchronously, so a Lambda DLQ would never receive anything. Failed records go to the ' +
        'job DLQ: copied by the runtime with the reason, and by the queue redrive policy as a backstop.',
    });
    if (!this.tracing) {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless::Serverless-LambdaTracing',
        reason:
          'Active X-Ray tracing is off for this stage (context tracing=true turns it on): it needs ' +
          'xray:PutTraceSegments on Resource "*", and costs per recorded trace. Each run still has its ' +
          'trace ID on its ledger item and its log lines, and its sends carry the trace header.',
      });
    }
    for (const child of this.fn.node.findAll()) {
      if (child instanceof lambda.CfnEventSourceMapping) {
        Validations.of(child).acknowledge({
          id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
          reason:
            'An SQS event source mapping does not support an on-failure destination (only stream and ' +
            'Kafka sources do). Failed SQS records are handled by the runtime (DLQ copy with reason) ' +
            'and the queue redrive policy.',
        });
      }
    }
  }

  /** Lets this job enqueue `target` (itself included) and tells the function where its queue is. */
  enqueuesTo(target: JobWorker): void {
    this.grantSend(target.queue);
    for (const fn of [this.fn, this.durable?.fn])
      fn?.addEnvironment(queueUrlVariable(target.jobName), target.queue.queueUrl);
  }

  private environment(props: JobWorkerProps): Record<string, string> {
    const job = props.job.declaration;
    return functionEnvironment({
      ledgerTableName: props.tables.ledger.table.tableName,
      queueUrl: this.queue.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
      settings: props.job.settings,
      serviceName: SERVICE_NAME,
      metricsNamespace: this.metricsNamespace,
      tables: job.resources.tables.map(({ table: design }) => ({
        design,
        name: props.tables.of(design, job.name).table.tableName,
      })),
      ...(job.resources.sendsEmail && props.emailFrom ? { emailFrom: props.emailFrom } : {}),
      logLevel: props.logLevel ?? logLevelFromContext(this),
    });
  }

  /**
   * Exactly what the runtime and the declaration need: the runtime copies dead letters to the DLQ itself, and
   * sends an occurrence that waits its turn (overlap skip or bufferOne) to the own queue again.
   */
  private grantAccess(props: JobWorkerProps): void {
    const job = props.job.declaration;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: CONSUME_ACTIONS, resources: [this.queue.queueArn] }),
    );
    this.grantSend(this.deadLetterQueue);
    if (job.schedules.some((schedule) => schedule.overlap !== 'allow')) this.grantSend(this.queue);
    grantTableActions(this.role, props.tables.ledger, LEDGER_ACTIONS);
    for (const use of job.resources.tables) {
      const table = props.tables.of(use.table, job.name);
      if (table === props.tables.ledger && use.access.some((access) => access !== 'read')) {
        throw new Error(
          `${job.name}: resources.tables may name the run ledger read only; the runtime writes it (given ` +
            `${JSON.stringify(use.access)})`,
        );
      }
      grantTableAccess(this.role, table, use.access);
      if (!use.explicit) {
        Annotations.of(this).addWarningV2(
          '@serverless-jobs/cdk:tableAccess',
          `${job.name}: resources.tables names table "${use.table.id}" without an access, so it may read, ` +
            `write and delete it; name what it does, e.g. { table, access: 'read' }`,
        );
      }
    }
    if (job.resources.sendsEmail && props.emailFrom) this.grantSendEmail(props.emailFrom);
  }

  private grantSend(queue: sqs.IQueue): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
  }

  /**
   * SES on the sender's domain and address identities only, and only with that From address; SendEmail only,
   * the call an e-mail job makes: SendRawEmail, for MIME it builds itself, is not granted.
   */
  private grantSendEmail(emailFrom: string): void {
    const domain = emailFrom.slice(emailFrom.lastIndexOf('@') + 1);
    const identity = (name: string): string =>
      Stack.of(this).formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identity(domain), identity(emailFrom)],
        conditions: { StringEquals: { 'ses:FromAddress': emailFrom } },
      }),
    );
  }
}
