import { defineConfig } from 'vitest/config';

/** Template tests only: no emulators needed (`npx vitest run --config test/infra/vitest.config.ts`). */
export default defineConfig({
  test: {
    include: ['test/infra/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
