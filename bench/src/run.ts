/**
 * Runs every benchmark suite (or the ones named on the command line) and prints
 * markdown. Suites live beside this file as `<name>.bench.ts` and export `run()`
 * returning markdown. Use `pnpm bench [name...]`; for exact heap figures the
 * script runs node with --expose-gc.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

console.log(`# @obs benchmarks\n\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
for (const name of suites) {
  const mod = (await import(`./${name}.bench.ts`)) as { run(): Promise<string> | string };
  console.log(`## ${name}\n`);
  console.log(await mod.run());
  console.log('');
}
