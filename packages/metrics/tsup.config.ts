import { defineConfig } from 'tsup';

export default defineConfig({
  // Exporters and the prom-client drop-in are subpaths, so a user of the root entry never loads them.
  entry: {
    index: 'src/index.ts',
    'otlp/index': 'src/otlp/index.ts',
    'remote-write/index': 'src/remote-write/index.ts',
    'prom-client/index': 'src/prom-client/index.ts',
    'cluster/index': 'src/cluster/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared chunks in CommonJS too: a class (an error thrown under a subpath) is one identity across entries.
  splitting: true,
  target: 'node20',
  // Inlines top-level constants across modules (the slab offsets, the sketch's scale): V8 does not
  // fold a module's const bindings into optimized code, so each would be a context load and a
  // Smi check on the recording hot paths. Names and layout stay as written. ESM only: tsup's
  // later CommonJS pass cannot parse esbuild's minified class bodies.
  esbuildOptions(options, context) {
    if (context.format === 'esm') options.minifySyntax = true;
  },
});
