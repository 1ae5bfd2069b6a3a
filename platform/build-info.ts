// Which build is running, for /status: package.json's version and, when known, the commit
// (BUILD_COMMIT set by a deployment, else read from the checkout's .git without running git).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export interface BuildInfo {
  version: string;
  commit: string | null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function checkoutCommit(): string | null {
  const head = readText(join(PROJECT_ROOT, '.git', 'HEAD'));
  if (head === null) return null;
  const ref = /^ref: (refs\/[\w./-]+)$/.exec(head)?.[1];
  if (ref === undefined) return /^[0-9a-f]{40}$/.test(head) ? head : null;
  const loose = readText(join(PROJECT_ROOT, '.git', ref));
  if (loose !== null) return loose;
  const packed = readText(join(PROJECT_ROOT, '.git', 'packed-refs')) ?? '';
  return (
    packed
      .split('\n')
      .find((line) => line.endsWith(` ${ref}`))
      ?.split(' ')[0] ?? null
  );
}

let cached: BuildInfo | undefined;

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  cached ??= {
    version: (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version,
    commit: env['BUILD_COMMIT']?.match(/^[0-9a-f]{7,40}$/)?.[0] ?? checkoutCommit()?.slice(0, 12) ?? null,
  };
  return cached;
}
