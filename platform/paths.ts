// Where the project is, and how to start one of its processes, the same whether this code runs
// from the TypeScript sources (under tsx, as the tests do) or from the compiled build in dist/
// (`npm start`, `npm run bench`: plain node, which spares every process tsx's loader thread and
// its copy of each compiled file, about 100 MB of RSS measured on the gateway under load).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The build's output directory, relative to the project root (mirrors the source tree). */
export const BUILD_DIR = 'dist';

/** True when this module was loaded from the compiled build, so every module was. */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');

function nearestPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

/** The directory holding package.json: the processes' working directory and where data is kept. */
export const PROJECT_ROOT = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * The node arguments that run one of the project's entry points, named by its source path
 * (`gateway/main.ts`): the compiled file with plain node when running compiled, else the source
 * through tsx.
 */
export function entryPointArgs(sourcePath: string): string[] {
  if (!RUNNING_COMPILED) return ['--import', 'tsx', join(PROJECT_ROOT, sourcePath)];
  return [join(PROJECT_ROOT, BUILD_DIR, sourcePath.replace(/\.ts$/, '.js'))];
}
