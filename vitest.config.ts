// Vitest: every suite under test/; browser and process tests need a built tree (`npm test` builds first).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: run files two at a time so the join-storm and browser suites do not starve each other.
    maxWorkers: 2,
  },
});
