import { defineConfig } from 'vitest/config';

/**
 * Two projects so that unit tests never wait for emulators: the local stack (DynamoDB Local,
 * SES, S3, SMTP) starts in the global setup only when a test that needs it is selected.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: more workers only add contention.
    maxWorkers: 2,
    teardownTimeout: 20_000,
    // Node 20 runs the tests (Lambda runs Node 22): the SDK's once-per-process notice about
    // Node 20 support ending would otherwise repeat in every worker's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 10_000,
        },
      },
      {
        test: {
          // The package rendered in headless chromium (/usr/bin/chromium; .ci/run installs it).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'emulated',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/browser/**', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
