// The README and docs are read from a clone of the repository alone: every relative link resolves
// to a file in it, and every repository path the README names in backticks exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../platform/paths.js';

const markdownFiles = [
  'README.md',
  'CHANGELOG.md',
  'sandbox/README.md',
  ...readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

describe('documentation links', () => {
  it.each(markdownFiles)('%s links only to files in the repository', (file) => {
    const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1] ?? '')
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.replace(/#.*$/, ''));
    const broken = targets.filter((target) => {
      const path = resolve(dirname(join(PROJECT_ROOT, file)), target);
      return !path.startsWith(PROJECT_ROOT) || !existsSync(path);
    });
    expect(broken).toEqual([]);
  });

  it("names only repository paths that exist, in the README's backticks", () => {
    const text = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const paths = [
      ...text.matchAll(
        /`((?:gateway|platform|subgraphs|sandbox|scripts|schema|ops|docs|test|bench)\/[\w./-]+)`/g,
      ),
    ]
      .map((match) => match[1] ?? '')
      .filter((path) => !path.includes('<'));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(join(PROJECT_ROOT, path.replace(/\/$/, ''))))).toEqual([]);
  });
});
