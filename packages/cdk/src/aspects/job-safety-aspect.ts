import { Annotations, type IAspect, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { assertTimeZone, parseScheduleExpression } from '@serverless-jobs/runtime/cron';
import { VISIBILITY_FACTOR } from '../constructs/constants.ts';
import { jobLabel, referencedElement, resolvedNumber } from './cfn-lookup.ts';

/** CloudFormation's defaults for properties left unset. */
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_RETENTION_SECONDS = 345_600;
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;
const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';
/** Lambda's cap on a function's environment variables, names and values together. */
const ENVIRONMENT_LIMIT_BYTES = 4096;
/** A value that resolves only at deploy (a queue URL, a table name) is counted as this many bytes. */
const REFERENCE_BYTES = 128;
const REFERENCE_STANDIN = 'x'.repeat(REFERENCE_BYTES);

/**
 * Rejects unsafe job wiring at synth, whoever wrote it: it reads the L1 resources (event source mappings,
 * queues, schedules, rules), follows their references, and adds an error that quotes the bad value.
 * The CDK CLI fails `cdk synth` on any error annotation.
 */
export class JobSafetyAspect implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof lambda.CfnEventSourceMapping) this.checkEventSourceMapping(node);
    else if (node instanceof sqs.CfnQueue) this.checkDeadLetterRetention(node);
    else if (node instanceof scheduler.CfnSchedule) this.checkSchedule(node);
    else if (node instanceof events.CfnRule) this.checkRule(node);
    else if (node instanceof lambda.CfnFunction) this.checkEnvironmentSize(node);
  }

  /** Lambda refuses an environment over 4 KB at deploy, after the stack has started to change: say so at synth. */
  private checkEnvironmentSize(fn: lambda.CfnFunction): void {
    const resolved: unknown = Stack.of(fn).resolve(fn.environment);
    const variables =
      (resolved as { variables?: Record<string, unknown>; Variables?: Record<string, unknown> } | undefined) ?? {};
    const entries = Object.entries(variables.variables ?? variables.Variables ?? {});
    // Lambda measures the variables as one JSON object, quotes and escapes included.
    const asDeployed = Object.fromEntries(
      entries.map(([name, value]) => [name, typeof value === 'string' ? value : REFERENCE_STANDIN]),
    );
    const total = Buffer.byteLength(JSON.stringify(asDeployed));
    if (total <= ENVIRONMENT_LIMIT_BYTES) return;
    const sizes = Object.entries(asDeployed).map(([name, value]) => ({
      name,
      bytes: Buffer.byteLength(JSON.stringify({ [name]: value })) - 2,
    }));
    const largest = [...sizes]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map((s) => `${s.name} ${s.bytes}`)
      .join(', ');
    const references = entries.filter(([, value]) => typeof value !== 'string').length;
    this.error(
      fn,
      `${jobLabel(fn)}: its environment is about ${total} bytes, over Lambda's ` +
        `${ENVIRONMENT_LIMIT_BYTES} (${entries.length} variables, ` +
        `${references} of them references counted as ${REFERENCE_BYTES} bytes each; the largest: ${largest}). ` +
        'Compile what grows with the jobs into the bundle instead (JobWorker inlinedEnvironment)',
    );
  }

  private checkEventSourceMapping(esm: lambda.CfnEventSourceMapping): void {
    const queue = referencedElement(esm, esm.eventSourceArn, sqs.CfnQueue);
    if (!queue) return; // not an SQS source (or an imported queue): nothing to compare against
    const label = jobLabel(esm);
    const resolve = (value: unknown): unknown => Stack.of(esm).resolve(value);

    const types = resolve(esm.functionResponseTypes);
    if (!Array.isArray(types) || !types.includes(REPORT_BATCH_ITEM_FAILURES)) {
      this.error(
        esm,
        `${label}: partial batch responses are off (FunctionResponseTypes is ` +
          `${JSON.stringify(types ?? [])}); set reportBatchItemFailures: true`,
      );
    }
    const scaling = resolve(esm.scalingConfig) as { readonly maximumConcurrency?: unknown } | undefined;
    if (scaling?.maximumConcurrency === undefined) {
      this.error(
        esm,
        `${label}: no maximum concurrency (ScalingConfig.MaximumConcurrency is ` +
          `${JSON.stringify(scaling?.maximumConcurrency)}); set maxConcurrency (2 to 1000)`,
      );
    }

    const fn = referencedElement(esm, esm.functionName, lambda.CfnFunction);
    const visibility = resolvedNumber(queue, queue.visibilityTimeout, DEFAULT_VISIBILITY_SECONDS);
    const timeout = fn && resolvedNumber(fn, fn.timeout, DEFAULT_FUNCTION_TIMEOUT_SECONDS);
    const window = resolvedNumber(esm, esm.maximumBatchingWindowInSeconds, 0);
    if (visibility === undefined || timeout === undefined || window === undefined) return;
    const minimum = VISIBILITY_FACTOR * (timeout + window);
    if (visibility < minimum) {
      this.error(
        esm,
        `${label}: visibility timeout ${visibility} s is below ${VISIBILITY_FACTOR} × (timeout ` +
          `${timeout} s + window ${window} s) = ${minimum} s`,
      );
    }
  }

  private checkDeadLetterRetention(queue: sqs.CfnQueue): void {
    const redrive = Stack.of(queue).resolve(queue.redrivePolicy) as
      | { readonly deadLetterTargetArn?: unknown }
      | undefined;
    if (!redrive) return;
    const dlq = referencedElement(
      queue,
      redrive.deadLetterTargetArn ?? (redrive as Record<string, unknown>).DeadLetterTargetArn,
      sqs.CfnQueue,
    );
    if (!dlq) return;
    const retention = resolvedNumber(queue, queue.messageRetentionPeriod, DEFAULT_RETENTION_SECONDS);
    const dlqRetention = resolvedNumber(dlq, dlq.messageRetentionPeriod, DEFAULT_RETENTION_SECONDS);
    if (retention === undefined || dlqRetention === undefined) return;
    if (dlqRetention <= retention) {
      this.error(
        queue,
        `${jobLabel(queue)}: DLQ retention ${dlqRetention} s is not longer than the queue's ` +
          `retention ${retention} s; a message could expire before anyone redrives it`,
      );
    }
  }

  private checkSchedule(schedule: scheduler.CfnSchedule): void {
    const resolve = (value: unknown): unknown => Stack.of(schedule).resolve(value);
    const expression = resolve(schedule.scheduleExpression);
    const timeZone = resolve(schedule.scheduleExpressionTimezone);
    this.tryCheck(schedule, () => typeof expression === 'string' && parseScheduleExpression(expression));
    this.tryCheck(schedule, () => typeof timeZone === 'string' && assertTimeZone(timeZone));
  }

  private checkRule(rule: events.CfnRule): void {
    const expression = Stack.of(rule).resolve(rule.scheduleExpression);
    this.tryCheck(rule, () => typeof expression === 'string' && parseScheduleExpression(expression));
  }

  private tryCheck(node: IConstruct, check: () => unknown): void {
    try {
      check();
    } catch (error) {
      this.error(node, `${jobLabel(node)}: ${(error as Error).message}`);
    }
  }

  private error(node: IConstruct, message: string): void {
    Annotations.of(node).addError(message);
  }
}
