import { defineConfig } from 'vitest/config';

/**
 * Four projects, one per need (`npm run test:<name>` runs one, `npm test` all of them at once):
 * unit and infra need neither Java nor Chromium and start nothing; emulated starts the local stack
 * (DynamoDB Local on Java, SES, S3, SMTP) in its global setup; browser needs Chromium. Each global
 * setup checks its prerequisite first and stops the run, saying how to install it.
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
          // The use-case tests drive whole cycles in memory: a few seconds each on a quiet 2-core
          // machine, several times that while the emulated projects run beside them.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          // Template assertions and cdk-nag on the synthesized stack: no emulators.
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // The package rendered in headless Chromium (CHROMIUM_PATH, else /usr/bin/chromium).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'emulated',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/infra/**', 'test/browser/**', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
