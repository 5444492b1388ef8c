import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** URL path -> [file name under the public directory, content type]. A fixed list, so no request path ever reaches the file system. */
const ASSETS: readonly (readonly [string, string, string])[] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
  ['/dom.js', 'dom.js', 'text/javascript; charset=utf-8'],
  ['/explorer.js', 'explorer.js', 'text/javascript; charset=utf-8'],
  ['/markers.js', 'markers.js', 'text/javascript; charset=utf-8'],
  ['/exemplars.js', 'exemplars.js', 'text/javascript; charset=utf-8'],
  ['/slos.js', 'slos.js', 'text/javascript; charset=utf-8'],
  ['/silences.js', 'silences.js', 'text/javascript; charset=utf-8'],
  ['/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'],
  ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
  ['/vendor/uPlot.esm.js', 'vendor/uPlot.esm.js', 'text/javascript; charset=utf-8'],
  ['/vendor/uPlot.min.css', 'vendor/uPlot.min.css', 'text/css; charset=utf-8'],
];

/**
 * Finds the dashboard files: `dist/public` in a build (the build copies uPlot
 * into `vendor/`), or `public/` plus uPlot from node_modules when run from source.
 */
export function locatePublicFiles(): (file: string) => string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'public'), join(here, '..', 'public')]) {
    if (existsSync(join(candidate, 'vendor', 'uPlot.esm.js'))) return (file) => join(candidate, file);
  }
  const source = join(here, '..', '..', 'public');
  const sourceAlt = join(here, '..', 'public');
  const publicDir = existsSync(join(source, 'index.html')) ? source : sourceAlt;
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  return (file) => (file.startsWith('vendor/') ? join(uplotDir, file.slice('vendor/'.length)) : join(publicDir, file));
}

/** Loads every dashboard file into memory once; serving never touches the disk. */
export function loadStaticAssets(
  resolveFile: (file: string) => string = locatePublicFiles(),
): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, file, contentType] of ASSETS) {
    const body = readFileSync(resolveFile(file));
    assets.set(path, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  assets.set('/index.html', assets.get('/')!);
  return assets;
}

/** Serves a known asset for GET/HEAD and returns true, or returns false for any other path. */
export function serveStaticAsset(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  assets: ReadonlyMap<string, Asset>,
): boolean {
  const asset = assets.get(pathname);
  if (!asset) return false;
  // Security headers (CSP, nosniff, frame denial) were set by the hub's handler before this fallback ran.
  const headers: Record<string, string> = {
    'Content-Type': asset.contentType,
    ETag: asset.etag,
    'Cache-Control': 'no-cache',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['Content-Length'] = String(asset.body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : asset.body);
  return true;
}
