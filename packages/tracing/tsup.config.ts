import { defineConfig } from 'tsup';

export default defineConfig({
  // `@obs/tracing/http` and `@obs/tracing/otlp` are their own entries: the root export stays free of node:http.
  entry: { index: 'src/index.ts', http: 'src/http/index.ts', 'otlp/index': 'src/otlp/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared chunks in CommonJS too: a class (an error thrown under a subpath) is one identity across entries.
  splitting: true,
  target: 'node20',
});
