import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/openslo.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared chunks in CommonJS too: a class (an error thrown under a subpath) is one identity across entries.
  splitting: true,
  target: 'node20',
});
