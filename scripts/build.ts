// `npm run build`: compiles the project's TypeScript to ESM JavaScript in dist/, file by file in
// the source tree's layout, and copies beside it the files the code reads at run time (SDL,
// partner manifests, sandbox fixtures), so paths relative to a module resolve as they do in the
// sources. Transpile only: type checking is `npm run typecheck`. Tests are left out.
import { build } from 'esbuild';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, PROJECT_ROOT } from '../platform/paths.js';

/** The directories that hold code a process runs (test/ for the token minting the bench uses). */
const SOURCE_DIRS = ['platform', 'gateway', 'subgraphs', 'sandbox', 'scripts', 'schema', 'bench', 'test'];
/** Never copied: the benchmark's earlier reports are its output, not its input. */
const SKIPPED_DIRS = new Set([join('bench', 'results')]);

function filesUnder(dir: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(path) ? [] : filesUnder(path);
    return [path];
  });
}

const isTypeScript = (path: string) => path.endsWith('.ts') && !path.endsWith('.d.ts');
const isTest = (path: string) => path.endsWith('.test.ts');

export async function buildProject(): Promise<{ compiled: number; copied: number }> {
  // Written over, not emptied first: a stack already running from dist/ keeps its files.
  const outdir = join(PROJECT_ROOT, BUILD_DIR);
  const files = SOURCE_DIRS.flatMap(filesUnder);
  const entryPoints = files.filter((path) => isTypeScript(path) && !isTest(path));
  await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints,
    outdir,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const assets = files.filter((path) => !path.endsWith('.ts'));
  for (const path of assets) cpSync(join(PROJECT_ROOT, path), join(outdir, path));
  return { compiled: entryPoints.length, copied: assets.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { compiled, copied } = await buildProject();
  console.log(`build: ${compiled} modules compiled, ${copied} run-time files copied to ${BUILD_DIR}/`);
}
