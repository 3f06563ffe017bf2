import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Json } from './intrinsics.ts';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { readonly Value: Json }>;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly stackName: string;
  readonly template: Template;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

/** The stack template of a synthesized app; the first CloudFormation stack in the manifest. */
export function readCloudAssembly(dir: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const stack = Object.entries(manifest.artifacts ?? {}).find(
    ([, artifact]) => artifact.type === 'aws:cloudformation:stack',
  );
  if (!stack) throw new Error(`${dir}/manifest.json names no CloudFormation stack`);
  const [stackName, artifact] = stack;
  const template = JSON.parse(
    readFileSync(join(dir, artifact.properties?.templateFile ?? `${stackName}.template.json`), 'utf8'),
  ) as Template;
  return { dir, stackName, template };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

const WILDCARD = /[*?[\]{}!]/;
const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();
const children = (path: string): string[] =>
  isDirectory(path) ? readdirSync(path).map((name) => join(path, name)) : [];

/** Where a `watch.include` pattern starts: its literal folders, each `*` expanded, up to any other wildcard. */
function patternRoots(root: string, pattern: string): string[] {
  let paths = [root];
  for (const segment of pattern.replace(/^\.\//, '').split('/')) {
    if (segment === '*') paths = paths.flatMap(children);
    else if (segment === '' || WILDCARD.test(segment)) break;
    else paths = paths.map((path) => join(path, segment));
  }
  return paths;
}

/**
 * What the app is built from: what cdk.json's `watch.include` names (as `cdk watch` has it); without one, every
 * entry of the app's folder but node_modules, the cloud assembly and dot-entries (`.local`, `.git`). cdk.json and
 * the lockfile always.
 */
function appSources(dir: string, root: string): string[] {
  let include: unknown;
  try {
    const config = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { watch?: { include?: unknown } };
    include = config.watch?.include;
  } catch {
    include = undefined; // no cdk.json, or not JSON: the synth will say so
  }
  const patterns = [include].flat().filter((pattern): pattern is string => typeof pattern === 'string');
  const named = patterns.flatMap((pattern) => patternRoots(root, pattern));
  const sources =
    named.length > 0 && !named.some((path) => resolve(path) === resolve(root))
      ? named
      : readdirSync(root)
          .filter((name) => name !== 'node_modules' && !name.startsWith('.'))
          .map((name) => join(root, name))
          .filter((path) => resolve(path) !== resolve(dir));
  return [...sources, join(root, 'cdk.json'), join(root, 'package-lock.json')];
}

/** True when cdk.out is missing or older than any source the app is built from. */
export function isStale(dir: string, root: string): boolean {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const built = statSync(manifest).mtimeMs;
  return appSources(dir, root).some((source) => newestMtime(source) > built);
}

/**
 * Runs `cdk synth` offline (no version check, no notices); its output streams, or is kept for the error when `quiet`.
 */
export function synthesize(root: string, dir: string, context: readonly string[] = [], quiet = false): Promise<void> {
  const args = ['cdk', 'synth', '--quiet', '--output', dir, ...context.flatMap((entry) => ['-c', entry])];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, {
      cwd: root,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cdk synth exited with code ${code}\n${output.slice(-4000)}`)),
    );
  });
}
