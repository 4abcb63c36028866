import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      // Pure logic next to the code: fakes only, no files, sockets, threads or databases.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      // One process: apps built per domain with inject() or a local port, real databases, threads and engines.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/engines/**/*.test.ts'],
          // PROSODIA_TEST_ENGINES=redis,s3: one Redis and one S3 server for the run, every app on them.
          globalSetup: ['test/helpers/engines-setup.ts'],
          testTimeout: 60_000,
        },
      },
      // The official hume SDKs and Prosodia's own client against the in-process server.
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts', 'test/client/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      // The web console in Debian's Chromium (playwright-core), against the in-process server.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000 } },
      // Child processes (the server as users start it, crashes) and model evaluation on held-out data.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000 } },
    ],
    // 2-core machines: more workers only contend for the same cores.
    maxWorkers: 2,
    // Generous: CI machines are shared, and a deadline only bounds a hang; it measures nothing.
    hookTimeout: 120_000,
  },
})
