import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildJobsApp, type JobsAppOptions } from '#infra/jobs-app';
import type { ServerlessJobsStack } from '#infra/stacks/serverless-jobs-stack';

/** What cdk.json gives the real app; an App built in a test does not read cdk.json. */
export const BASE_CONTEXT = { emailFrom: 'jobs@example.com', reportRecipients: 'ops@example.com' } as const;

/** A test app: no bundling, no built-in CloudFormation validation (it costs seconds to start), its own outdir. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: { 'aws:cdk:bundling-stacks': [], ...BASE_CONTEXT, ...context },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'jobs-infra-test-')),
  });
}

export interface SynthesizedJobsApp {
  readonly app: App;
  readonly stack: ServerlessJobsStack;
  readonly template: Template;
}

/** Builds the stack exactly as `infra/app.ts` does (Aspect and cdk-nag included) and synthesizes it. */
export function synthJobsApp(context: Record<string, unknown> = {}, options: JobsAppOptions = {}): SynthesizedJobsApp {
  const app = testApp(context);
  const stack = buildJobsApp(app, options);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical ID of a construct's CloudFormation resource, to find it in the template. */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

/** The Properties of a resource in the template, by logical ID. */
export function propertiesOf(template: Template, logicalId: string): Record<string, unknown> {
  const resource = (template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>)[logicalId];
  if (!resource) throw new Error(`No resource "${logicalId}" in the template`);
  return resource.Properties ?? {};
}

/** A `{ "Fn::GetAtt": [<logical ID of construct>, "Arn"] }` matcher value. */
export const arnOf = (construct: IConstruct): unknown => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });
