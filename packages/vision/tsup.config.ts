import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker script is its own entry: the pool starts it from beside the bundle.
  entry: { index: 'src/index.ts', analyzeWorker: 'src/worker/analyzeWorker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  // import.meta.url in the CommonJS build (the pool locates the worker script with it).
  shims: true,
  target: 'node20',
});
