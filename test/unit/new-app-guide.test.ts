import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/new-app.md pins what an app of your own installs. Its versions are the repository's, so that the guide
// installs what CI tests; this keeps them from drifting apart when a dependency or a package version moves.
const ROOT = join(import.meta.dirname, '..', '..');
type Manifest = {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const read = (path: string): Manifest => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Manifest;

describe('docs/new-app.md', () => {
  const guide = readFileSync(join(ROOT, 'docs/new-app.md'), 'utf8');
  const [app] = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as Manifest);
  const root = read('package.json');

  it("pins the repository's versions of the CDK, constructs, the CDK CLI and Node", () => {
    expect(app?.dependencies?.['aws-cdk-lib']).toBe(root.dependencies?.['aws-cdk-lib']);
    expect(app?.dependencies?.constructs).toBe(root.dependencies?.constructs);
    expect(app?.devDependencies?.['aws-cdk']).toBe(root.devDependencies?.['aws-cdk']);
    expect(app?.optionalDependencies).toEqual(root.optionalDependencies);
  });

  it("names each package's tarball as npm pack names it, and the repository's TypeScript", () => {
    const all = { ...app?.dependencies, ...app?.devDependencies };
    for (const name of ['runtime', 'cdk', 'cli', 'local']) {
      const { version } = read(`packages/${name}/package.json`);
      expect(all[`@serverless-jobs/${name}`]).toBe(`file:../packs/serverless-jobs-${name}-${version}.tgz`);
    }
    expect(guide).toContain(`typescript@${root.devDependencies?.typescript}`);
  });
});
