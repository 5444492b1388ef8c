// Installs @obs/vision as a user gets it, offline: the packed tarballs of @obs/vision and @obs/core in a fresh
// folder, beside only the packages their manifests declare (linked from this workspace's store, which is what a
// registry install would put there). Then checks that
// - nothing but @obs/core is pulled in from the workspace (no @obs/hub and its six components),
// - the root entry and @obs/vision/local load without @obs/hub, in ESM and CommonJS,
// - an error thrown under one entry is an instance of the class exported by the other (one class per chunk),
// - the local provider's worker script runs from the packed files,
// - @obs/vision/hub, the only entry that needs @obs/hub, fails to load without it.
// Run by `pnpm test:build` after the build. Exits non-zero on the first failed check.
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const visionDir = join(here, '..');
const coreDir = join(visionDir, '..', 'core');

const root = mkdtempSync(join(tmpdir(), 'obs-vision-install-'));
try {
  const app = join(root, 'app');
  const modules = join(app, 'node_modules');
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));

  // name -> the folder its own dependencies resolve from (the workspace package for a tarball)
  const installed = new Map();
  for (const dir of [visionDir, coreDir]) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', root], { cwd: dir, encoding: 'utf8' });
    const tarball = out.trim().split('\n').pop().trim();
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    const target = join(modules, ...manifest.name.split('/'));
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    installed.set(manifest.name, dir);
  }

  // What npm would add: each declared dependency and required peer, transitively.
  const queue = ['@obs/vision', '@obs/core'];
  while (queue.length > 0) {
    const name = queue.shift();
    const manifest = JSON.parse(readFileSync(join(modules, ...name.split('/'), 'package.json'), 'utf8'));
    const optionalPeers = new Set(
      Object.entries(manifest.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([peer]) => peer),
    );
    const wanted = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optionalPeers.has(peer)),
    ];
    for (const dep of wanted) {
      if (installed.has(dep)) continue;
      if (dep.startsWith('@obs/')) fail(`${name} pulls in ${dep}: only @obs/core may come along`);
      const from = createRequire(join(realpathSync(installed.get(name)), 'package.json'));
      const source = dirname(from.resolve(`${dep}/package.json`));
      mkdirSync(dirname(join(modules, ...dep.split('/'))), { recursive: true });
      symlinkSync(source, join(modules, ...dep.split('/')), 'dir');
      installed.set(dep, source);
      queue.push(dep);
    }
  }

  const png = `const { PNG } = require('pngjs');
const image = new PNG({ width: 8, height: 8 });
image.data.fill(200);
const bytes = PNG.sync.write(image);`;
  const checks = (vision, local, core) => `
if (!(${core}.ObsError)) throw new Error('@obs/core did not load');
const provider = new ${local}.LocalImageProvider({ workers: 1 });
const result = await provider.analyzeImage(new Uint8Array(bytes));
if (result.details.width !== 8) throw new Error('the worker did not analyse the image: ' + JSON.stringify(result));
const bad = await provider.analyzeImage(new Uint8Array([1, 2, 3])).catch((error) => error);
await provider.close();
if (!(bad instanceof ${vision}.VisionInputError)) throw new Error('a local error is not a root VisionInputError: ' + bad);
if (!(bad instanceof ${core}.ObsError)) throw new Error('a local error is not an ObsError');
let refused;
try { ${vision}.createObservableProvider(provider); } catch (error) { refused = error; }
if (!(refused instanceof ${core}.ObsValidationError)) throw new Error('a missing hub was not refused: ' + refused);
`;
  writeFileSync(
    join(app, 'esm.mjs'),
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
${png}
const vision = await import('@obs/vision');
const local = await import('@obs/vision/local');
const core = await import('@obs/core');
${checks('vision', 'local', 'core')}
const hub = await import('@obs/vision/hub').then(() => 'loaded', (error) => error.code);
if (hub !== 'ERR_MODULE_NOT_FOUND') throw new Error('@obs/vision/hub without @obs/hub: ' + hub);
`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `${png}
(async () => {
const vision = require('@obs/vision');
const local = require('@obs/vision/local');
const core = require('@obs/core');
${checks('vision', 'local', 'core')}
})().catch((error) => { console.error(error); process.exit(1); });
`,
  );
  for (const script of ['esm.mjs', 'cjs.cjs']) {
    execFileSync(process.execPath, [script], { cwd: app, stdio: 'inherit' });
  }

  const names = [...installed.keys()].sort();
  const bytes = names.reduce((sum, name) => sum + sizeOf(join(modules, ...name.split('/'))), 0);
  console.log(
    `@obs/vision from tarballs: ${names.length} packages (${names.join(', ')}), ${(bytes / 1e6).toFixed(1)} MB; ESM and CJS entries load without @obs/hub`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}

function sizeOf(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

function fail(message) {
  throw new Error(`check-install: ${message}`);
}
