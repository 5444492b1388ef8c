import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

// The dashboard is static: public/ plus uPlot from node_modules, copied into
// dist/public at build time, so the page needs no CDN and no bundler.
function copyPublicFiles(): void {
  const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot'));
  mkdirSync('dist/public/vendor', { recursive: true });
  cpSync('public', 'dist/public', { recursive: true });
  for (const file of ['uPlot.esm.js', 'uPlot.min.css']) cpSync(join(uplotDist, file), join('dist/public/vendor', file));
}

export default defineConfig({
  // The fleet starts its servers with @obs/testing's helpers: a devDependency of TypeScript sources, so tsup
  // bundles it into dist/fleet.js (only dependencies stay external imports).
  entry: { main: 'src/main.ts', fleet: 'src/fleet/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  dts: false,
  onSuccess: async () => copyPublicFiles(),
});
