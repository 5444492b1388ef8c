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
});
