import { defineConfig } from 'vitest/config';

// The workspace packages resolve to their TypeScript sources, in the tests and in every process they start
// (a synth's esbuild, a CLI, npm start), as the npm scripts do with `node --conditions`.
const SOURCE_CONDITION = '@serverless-jobs/source';
const conditions = [SOURCE_CONDITION, 'node', 'development|production'];
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=${SOURCE_CONDITION}`.trim();

export default defineConfig({
  ssr: { resolve: { conditions } },
  // The environment that runs the global setup.
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Through Vite's resolver, which knows the condition; Node's own would look for the packages' dist/.
    server: { deps: { inline: [/@serverless-jobs\//] } },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll waits for what the stack does in the background; its default 1 s is too short on a
    // shared 2-core CI machine with other test files running beside it.
    expect: { poll: { timeout: 10_000 } },
  },
});
