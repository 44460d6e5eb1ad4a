// End-to-end tests: Debian's chromium driven by playwright-core against the dev server (npm run test:e2e).
// Not part of `npm test` yet (issue 6).
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
