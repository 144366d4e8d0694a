import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs no network and no services; `integration` runs against the real
 * local services (DynamoDB Local started once by the global setup, the local runtime).
 */
export default defineConfig({
  test: {
    setupFiles: ['tests/setup/common.ts'],
    // In CI, also write vitest's own counts for .ci/run's closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/test-results.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/dynamodb-local.ts'],
          setupFiles: ['tests/setup/integration-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
