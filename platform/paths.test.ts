import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, PROJECT_ROOT, RUNNING_COMPILED, entryPointArgs } from './paths.js';

describe('project paths', () => {
  it('finds the project root: the directory with our package.json', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('nhs-graph');
  });

  it('runs an entry point from its TypeScript source through tsx when the sources are running', () => {
    expect(RUNNING_COMPILED).toBe(false);
    const args = entryPointArgs('gateway/main.ts');
    expect(args).toEqual(['--import', 'tsx', join(PROJECT_ROOT, 'gateway', 'main.ts')]);
    expect(existsSync(args[2] ?? '')).toBe(true);
  });

  it('keeps the build out of git', () => {
    expect(readFileSync(join(PROJECT_ROOT, '.gitignore'), 'utf8').split('\n')).toContain(`${BUILD_DIR}/`);
  });
});
