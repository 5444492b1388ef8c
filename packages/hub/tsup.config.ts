import { defineConfig } from 'tsup';

export default defineConfig({
  // The HTTP toolkit is a subpath, so a hub without a server never loads it.
  entry: { index: 'src/index.ts', 'http/index': 'src/http/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  // Shared chunks in both formats: an error class is one class whichever entry throws it (instanceof holds).
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
