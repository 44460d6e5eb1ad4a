// End-to-end tests: Debian's chromium driven by playwright-core against the dev server (npm run test:e2e).
// Run by `npm test` after the unit tests (and alone by `npm run test:e2e`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
