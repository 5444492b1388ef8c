// Checks the built entries as a user loads them (ESM and CommonJS): @obs/hub/http holds the HTTP toolkit and the
// root entry does not, and an error thrown under @obs/hub/http is an instance of the class the root entry exports
// (the classes live in one shared chunk, so there is one identity whichever entry a user imports).
// Run by `pnpm test:build` after the build. Exits non-zero on the first failed check.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bodyOver = (limit) => ({ headers: { 'content-length': String(limit + 1) } });

async function check(format, root, http) {
  const fail = (message) => {
    throw new Error(`check-dist (${format}): ${message}`);
  };
  for (const name of ['createHttpHandler', 'createHardenedServer', 'readBody', 'BearerToken']) {
    if (typeof http[name] !== 'function') fail(`@obs/hub/http lacks ${name}`);
    if (name in root) fail(`the root entry still exports ${name}; it belongs to @obs/hub/http`);
  }
  if (http.BodyTooLargeError !== root.BodyTooLargeError) fail('BodyTooLargeError differs between the entries');
  if (http.BodyReadError !== root.BodyReadError) fail('BodyReadError differs between the entries');
  const tooLarge = await http.readBody(bodyOver(10), { limit: 10 }).catch((error) => error);
  if (!(tooLarge instanceof root.BodyTooLargeError)) fail(`readBody's error is not the root BodyTooLargeError`);
  if (!(tooLarge instanceof root.ObsError)) fail('a BodyTooLargeError is not an ObsError');
  let invalid;
  try {
    http.readBody(bodyOver(1), { limit: -1 });
  } catch (error) {
    invalid = error;
  }
  if (!(invalid instanceof root.HubValidationError)) fail(`a bad limit is not the root HubValidationError`);
  if (!(invalid instanceof root.ObsValidationError)) fail('a HubValidationError is not an ObsValidationError');
}

await check('esm', await import('../dist/index.js'), await import('../dist/http/index.js'));
await check('cjs', require('../dist/index.cjs'), require('../dist/http/index.cjs'));
console.log(
  '@obs/hub dist: the HTTP toolkit is @obs/hub/http only; error classes are one identity across entries (ESM, CJS)',
);
