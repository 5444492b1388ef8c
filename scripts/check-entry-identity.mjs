// For the package in the current directory: checks that each class of the built dist is defined in one file per
// format, so a class is one identity whichever entry a user loads (an error thrown under a subpath is then
// `instanceof` the class the root entry exports). Without `splitting: true`, tsup's CommonJS build copies shared
// code into every entry. Run by `test:build` after the build.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), 'dist');
const name = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).name;
const files = readdirSync(dir, { recursive: true }).filter((file) => /\.(c?js)$/.test(file));
const definitions =
  /(?:\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*class\b|\bclass\s+(?!extends\b)([A-Za-z_$][\w$]*))/g;
let problems = 0;
for (const ext of ['.js', '.cjs']) {
  const where = new Map(); // class name -> files defining it
  for (const file of files.filter((f) => f.endsWith(ext) && !(ext === '.js' && f.endsWith('.cjs')))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(definitions)) {
      const cls = match[1] ?? match[2];
      const list = where.get(cls) ?? new Set();
      list.add(file);
      where.set(cls, list);
    }
  }
  for (const [cls, list] of where) {
    if (list.size > 1) {
      problems++;
      console.error(
        `${name}: class ${cls} is defined in ${[...list].join(', ')}: one identity per class needs splitting`,
      );
    }
  }
}
if (problems > 0) process.exit(1);
console.log(`${name}: every class of dist is defined once per format`);
