import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Socket tests bind ephemeral ports on 127.0.0.1; running files in parallel is safe.
    pool: 'forks',
  },
});
