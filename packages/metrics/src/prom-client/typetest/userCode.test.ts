import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// userCode.ts is compiled against this module by `pnpm typecheck`; here the same code is
// compiled against prom-client 15.1.3's own index.d.ts, proving it is real prom-client code.
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

describe('type test: typical prom-client user code', () => {
  it('compiles against prom-client 15.1.3 itself (so our typecheck of it is meaningful)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-promclient-types-'));
    try {
      const source = readFileSync(join(here, 'userCode.ts'), 'utf8').replaceAll(
        "from '../index'",
        "from 'prom-client'",
      );
      writeFileSync(join(dir, 'userCode.ts'), source);
      symlinkSync(join(dirname(require.resolve('prom-client/package.json')), '..'), join(dir, 'node_modules'));
      const tsc = require.resolve('typescript/bin/tsc');
      const result = spawnSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--esModuleInterop',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          join(dir, 'userCode.ts'),
        ],
        { encoding: 'utf8', cwd: dir },
      );
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
