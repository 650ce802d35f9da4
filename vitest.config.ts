import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (test/unit: the core and pure modules, on the
 * in-memory Store; no server, no engine, no network) and `integration`
 * (everything else: adapters on the local engine, handlers, infra, e2e
 * through real clients). `npm test` runs both; `npm run test:unit` the first.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', '**/node_modules/**'] } },
    ],
  },
});
