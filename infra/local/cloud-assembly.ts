import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '#infra/local/intrinsics';

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
  readonly artifacts?: Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string } }>;
}

/** The stack template of a synthesized app; the first CloudFormation stack in the manifest. */
export function readCloudAssembly(dir: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const stack = Object.entries(manifest.artifacts ?? {}).find(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  if (!stack) throw new Error(`${dir}/manifest.json names no CloudFormation stack`);
  const [stackName, artifact] = stack;
  const template = JSON.parse(readFileSync(join(dir, artifact.properties?.templateFile ?? `${stackName}.template.json`), 'utf8')) as Template;
  return { dir, stackName, template };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** True when cdk.out is missing or older than any source the app is built from. */
export function isStale(dir: string, root: string): boolean {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const sources = ['infra', 'functions', 'shared', 'cdk.json', 'package-lock.json'].map((name) => join(root, name));
  const built = statSync(manifest).mtimeMs;
  return sources.some((source) => newestMtime(source) > built);
}

/** Runs `cdk synth` offline (no version check, no notices); its output streams, or is kept for the error when `quiet`. */
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
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cdk synth exited with code ${code}\n${output.slice(-4000)}`))));
  });
}
