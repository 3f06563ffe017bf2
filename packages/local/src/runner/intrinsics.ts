/** JSON as it appears in a CloudFormation template. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How references resolve locally: the physical names and URLs the local runner gave each resource. */
export interface IntrinsicResolver {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

/** Thrown for an intrinsic the local runner cannot evaluate; the message quotes it. */
export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';
}

export const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
};

function asString(value: Json, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

function substitute(template: string, variables: Record<string, Json>, resolver: IntrinsicResolver): string {
  return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name in variables) return asString(variables[name]!, `Fn::Sub \${${name}}`);
    if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name]!;
    const dot = name.indexOf('.');
    return dot < 0 ? resolver.ref(name) : resolver.getAtt(name.slice(0, dot), name.slice(dot + 1));
  });
}

/** Evaluates Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub, recursively. */
export function resolveIntrinsics(value: Json, resolver: IntrinsicResolver): Json {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resolver));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = value[key]!;
    switch (key) {
      case 'Ref': {
        const name = asString(argument, 'Ref');
        return PSEUDO_PARAMETERS[name] ?? resolver.ref(name);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(argument) ? argument : asString(argument, 'Fn::GetAtt').split('.');
        return resolver.getAtt(
          asString(id ?? null, 'Fn::GetAtt'),
          asString(resolveIntrinsics(attribute ?? null, resolver), 'Fn::GetAtt'),
        );
      }
      case 'Fn::Join': {
        const [separator, items] = argument as [Json, Json];
        const list = resolveIntrinsics(items, resolver);
        if (!Array.isArray(list)) throw new IntrinsicError(`Fn::Join: expected a list, got ${JSON.stringify(list)}`);
        return list.map((item) => asString(item, 'Fn::Join')).join(asString(separator, 'Fn::Join'));
      }
      case 'Fn::Select': {
        const [index, items] = argument as [Json, Json];
        const list = resolveIntrinsics(items, resolver);
        if (!Array.isArray(list)) throw new IntrinsicError(`Fn::Select: expected a list, got ${JSON.stringify(list)}`);
        return list[Number(resolveIntrinsics(index, resolver))] ?? null;
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [Json, Json];
        return asString(resolveIntrinsics(source, resolver), 'Fn::Split').split(asString(separator, 'Fn::Split'));
      }
      case 'Fn::Sub': {
        if (typeof argument === 'string') return substitute(argument, {}, resolver);
        const [template, variables] = argument as [Json, Record<string, Json>];
        const resolved = Object.fromEntries(
          Object.entries(variables ?? {}).map(([k, v]) => [k, resolveIntrinsics(v, resolver)]),
        );
        return substitute(asString(template, 'Fn::Sub'), resolved, resolver);
      }
      default:
        if (key.startsWith('Fn::'))
          throw new IntrinsicError(`${key} is not supported locally (given ${JSON.stringify(value)})`);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, resolver)]));
}
