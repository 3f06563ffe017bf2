import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll waits for what the stack does in the background; its default 1 s is too short on a
    // shared 2-core CI machine with other test files running beside it.
    expect: { poll: { timeout: 10_000 } },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
