import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against each package's source (Effect's pattern), so `turbo test`
// never waits for a build; CI also builds and typechecks the dist output.
const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

const sub = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export const workspaceAliases = {
  // Subpath entries first: the first matching alias wins, and '@obs/metrics' would also match '@obs/metrics/otlp'.
  '@obs/metrics/otlp': sub('metrics/src/otlp/index.ts'),
  '@obs/metrics/remote-write': sub('metrics/src/remote-write/index.ts'),
  '@obs/tracing/otlp': sub('tracing/src/otlp/index.ts'),
  '@obs/hub/http': sub('hub/src/http/index.ts'),
  '@obs/vision/local': sub('vision/src/local/index.ts'),
  '@obs/vision/hub': sub('vision/src/hub.ts'),
  '@obs/core': pkg('core'),
  // Subpaths first: an alias matches its key as a prefix.
  '@obs/metrics/cluster': fileURLToPath(new URL('./packages/metrics/src/cluster/index.ts', import.meta.url)),
  '@obs/metrics': pkg('metrics'),
  '@obs/tracing': pkg('tracing'),
  '@obs/health': pkg('health'),
  '@obs/alerts': pkg('alerts'),
  '@obs/slo': pkg('slo'),
  '@obs/anomaly': pkg('anomaly'),
  '@obs/hub': pkg('hub'),
  '@obs/vision': pkg('vision'),
  '@obs/otel': pkg('otel'),
};

export function sharedConfig(name: string, extra: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { alias: workspaceAliases },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      // Generous: CI machines have 2 cores shared by every package's tests.
      testTimeout: extra.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    },
  });
}
