import { type CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { OpsTargetError } from './errors.ts';

/** What a schedule runs on: its expression, its zone, and whether it fires. */
export interface ScheduleSettings {
  readonly expression: string;
  readonly timeZone: string;
  readonly state: 'ENABLED' | 'DISABLED';
}

/** The template body of the stack's last deploy: the stage cdk deploy sent, before CloudFormation's transforms. */
export async function readTemplateBody(client: CloudFormationClient, stackName: string): Promise<string> {
  const { TemplateBody } = await client.send(
    new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
  );
  if (!TemplateBody) throw new OpsTargetError(`GetTemplate of "${stackName}" returned no template`);
  return TemplateBody;
}

const properties = z.record(z.string(), z.unknown());
const templateShape = z.looseObject({
  Resources: z.record(z.string(), z.looseObject({ Type: z.string(), Properties: properties.optional() })),
  Outputs: z.record(z.string(), z.looseObject({ Value: z.unknown() })).optional(),
});
const ref = z.looseObject({ Ref: z.string() });

function settingsOf(type: string, props: Readonly<Record<string, unknown>>): ScheduleSettings | undefined {
  const expression = props.ScheduleExpression;
  if (typeof expression !== 'string') return undefined;
  // Both resource types default to ENABLED when the template leaves State out.
  const state = props.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  if (type === 'AWS::Events::Rule') return { expression, timeZone: 'UTC', state };
  if (type !== 'AWS::Scheduler::Schedule') return undefined;
  const zone = props.ScheduleExpressionTimezone;
  return { expression, timeZone: typeof zone === 'string' ? zone : 'UTC', state };
}

/**
 * Each schedule of a deployed template, by the stack output that names it (`ScheduleCleanupDaily`): the
 * expression, zone and state CloudFormation last wrote. A schedule whose values are not plain strings (a
 * parameter, an intrinsic) is left out, as is everything when the body is not JSON.
 */
export function templateSchedules(body: string): Map<string, ScheduleSettings> {
  const found = new Map<string, ScheduleSettings>();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return found;
  }
  const template = templateShape.safeParse(json);
  if (!template.success) return found;
  const { Resources, Outputs = {} } = template.data;
  for (const [key, output] of Object.entries(Outputs)) {
    const target = ref.safeParse(output.Value);
    const resource = target.success ? Resources[target.data.Ref] : undefined;
    const settings = resource && settingsOf(resource.Type, resource.Properties ?? {});
    if (settings) found.set(key, settings);
  }
  return found;
}
