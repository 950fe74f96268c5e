/**
 * Builds a self-contained `virnyflow` for worker nodes and benchmarks: one ES module for the CLI plus one
 * per thread entry, in `dist/bundle/` (or the directory given). A bundled process starts in a fraction of
 * the time of the TypeScript sources run through tsx and holds far less memory (no transpiler, one module
 * graph), which matters when many workers share a node.
 *
 *   pnpm bundle [outDir]        then   node dist/bundle/virnyflow.mjs worker --nats nats://host:4222
 *
 * Packages that cannot live inside a bundle stay outside and are linked into `<outDir>/node_modules`:
 * native addons (better-sqlite3), Piscina (it starts threads from its own files) and the MongoDB driver
 * (optional peers). Thread entries land next to the CLI under the names the code looks for
 * (`pipeline.thread.mjs`, `bootstrap.thread.mjs`), so `new URL('./x.thread.mjs', import.meta.url)` finds them.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');

/** Package name → a workspace package that depends on it (where pnpm linked it). */
const EXTERNAL: Record<string, string> = {
  'better-sqlite3': 'packages/store',
  mongodb: 'packages/store',
  piscina: 'packages/runtime',
};

const ENTRIES: Record<string, string> = {
  virnyflow: 'packages/cli/src/main.ts',
  'pipeline.thread': 'packages/engine/src/pipeline.thread.ts',
  'bootstrap.thread': 'packages/metrics/src/bootstrap.thread.ts',
};

/** The directory of package `name` as resolved from `fromDir` (its `exports` may hide package.json). */
function packageDir(name: string, fromDir: string): string | null {
  let entry: string;
  try {
    entry = createRequire(join(fromDir, 'package.json')).resolve(name);
  } catch {
    return null;
  }
  let dir = dirname(realpathSync(entry));
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith(name)) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return dir;
}

export async function bundle(outDir = join(ROOT, 'dist', 'bundle')): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'node_modules'), { recursive: true });
  for (const [name, from] of Object.entries(EXTERNAL)) {
    const dir = packageDir(name, join(ROOT, from));
    // Not installed (an optional driver): the bundle works without it.
    if (dir !== null) symlinkSync(dir, join(outDir, 'node_modules', name), 'dir');
  }
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out, join(ROOT, src)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys(EXTERNAL),
    // CommonJS dependencies inside an ES module bundle still call `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __vfRequire } from 'node:module'; const require = __vfRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  if (!existsSync(join(outDir, 'virnyflow.mjs'))) throw new Error(`bundle: nothing written to ${outDir}`);
  return join(outDir, 'virnyflow.mjs');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = await bundle(process.argv[2] !== undefined ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`${out}\n`);
}
