import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Scenario tests start kamailio, sipp and tshark on fixed loopback ports; two workers share the two cores.
    maxWorkers: 2,
  },
});

// Vitest reads the default export of its config file; this is the one place a default export is allowed.
export default config;
