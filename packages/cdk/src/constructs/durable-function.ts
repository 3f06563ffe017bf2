import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { BUNDLE_ENTRY } from './function-bundle.ts';

/** The export of a durable job's entry file that runs its executions; `handler` is its starter. */
export const DURABLE_EXPORT = 'durable';

/** The alias the starter invokes: Lambda starts durable executions only on a qualified ARN (a version or alias). */
export const DURABLE_ALIAS = 'live';

export interface DurableFunctionProps {
  readonly job: JobDeclaration;
  /** The job's bundle, shared with its starter. */
  readonly code: lambda.Code;
  readonly role: iam.IRole;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  /** The run ledger: the execution reads its run's status (GetItem) when it fails, to tell a cancel from a failure. */
  readonly ledgerTableArn: string;
}

/**
 * A durable job's execution function: `durableConfig` from the declaration (execution timeout, retention), the job's
 * role, an alias for the starter to invoke, and the checkpoint grants the durable SDK needs on its own executions.
 */
export class DurableFunction extends Construct {
  readonly fn: lambda.Function;
  readonly alias: lambda.Alias;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DurableFunctionProps) {
    super(scope, id);
    const { job } = props;
    const durable = job.durable;
    if (!durable) throw new Error(`${job.name}: a DurableFunction needs a durable job`);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Standard, as the starter's: the execution's EMF metrics feed the same alarms and dashboard.
      logGroupClass: logs.LogGroupClass.STANDARD,
    });
    this.fn = new lambda.Function(this, 'Function', {
      code: props.code,
      handler: `${BUNDLE_ENTRY}.${DURABLE_EXPORT}`,
      description: `${job.description} (durable execution)`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(job.timeoutSeconds),
      memorySize: job.memoryMb,
      role: props.role,
      logGroup: this.logGroup,
      environment: props.environment,
      durableConfig: {
        executionTimeout: Duration.seconds(durable.executionTimeoutSeconds),
        retentionPeriod: Duration.days(durable.retentionDays),
      },
    });
    // CDK notes that turning an existing function durable replaces it. This one is durable from its first deploy: a
    // job made durable later gets this construct, a new function, beside the starter it had.
    Annotations.of(this.fn).acknowledgeInfo(
      'aws-lambda:Function.DurableConfig',
      'created durable; never an existing function turned durable',
    );
    // Its grant is the starter's TracingPolicy on the same role.
    if (props.tracing)
      (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.logGroup.grantWrite(props.role);
    this.alias = new lambda.Alias(this, 'Alias', { aliasName: DURABLE_ALIAS, version: this.fn.currentVersion });
    // A policy of its own, not the role's default one that the function depends on, since it names the function:
    // the starter (same role) starts executions through the alias only; the durable SDK checkpoints its executions;
    // a failed execution reads its run's status.
    const policy = new iam.Policy(this, 'DurablePolicy', {
      roles: [props.role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.alias.functionArn] }),
        new iam.PolicyStatement({
          actions: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
          resources: [`${this.fn.functionArn}:*`],
        }),
        new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.ledgerTableArn] }),
      ],
    });
    const logicalId = Stack.of(this).getLogicalId(this.fn.node.defaultChild as lambda.CfnFunction);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'The durable SDK checkpoints and reads the executions of this function only; an execution ARN is the ' +
        "function's qualified ARN followed by the version and the execution (<function ARN>:<version>/durable-" +
        'execution/…), so the grant names this function and leaves the version and execution open.',
    });
    Validations.of(this.fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Its starter invokes it asynchronously, once per run, to start a durable execution. A run that fails is ' +
        'recorded DEAD and copied to the job DLQ with its reason by the execution itself (step sj:failed); a ' +
        'Lambda DLQ would hold only the start event, without the reason.',
    });
    if (!props.tracing) {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless::Serverless-LambdaTracing',
        reason: 'Active X-Ray tracing is off for this stage (context tracing=true turns it on), as for its starter.',
      });
    }
  }
}
