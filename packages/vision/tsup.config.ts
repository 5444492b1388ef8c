import { defineConfig } from 'tsup';

export default defineConfig({
  // Subpaths keep weight out of the root entry: `local` (decoders, worker pool), `hub` (the default hub).
  // The worker script is its own entry: the pool starts it from beside the bundle.
  entry: {
    index: 'src/index.ts',
    local: 'src/local/index.ts',
    hub: 'src/hub.ts',
    analyzeWorker: 'src/local/worker/analyzeWorker.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', local: 'src/local/index.ts', hub: 'src/hub.ts' } },
  // Shared chunks in both formats, so an error class is one class whichever entry throws it (instanceof holds).
  splitting: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CommonJS build (the pool locates the worker script with it).
  shims: true,
  target: 'node20',
});
