import { defineConfig } from 'tsup';

export default defineConfig({
  // `@obs/tracing/http` is its own entry: the root export stays free of node:http instrumentation.
  entry: { index: 'src/index.ts', http: 'src/http/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
