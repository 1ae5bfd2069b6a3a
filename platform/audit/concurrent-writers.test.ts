// Two processes appending to one audit folder keep one intact chain (issue 15, item 9): before,
// each kept its own idea of the chain's tail and the chain forked, so verify reported tampering.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileAuditStore } from './file-store.js';

const WORKER = fileURLToPath(new URL('./append-worker.ts', import.meta.url));
const APPENDS = 40;

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'nhs-graph-audit-writers-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** A writer process with its store open, waiting for `go`. */
async function startWriter() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, directory, 'demographics', String(APPENDS)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await once(child.stdout, 'data');
  return {
    go: async () => {
      child.stdin.end('go\n');
      return (await exited)[0];
    },
  };
}

it('two processes appending to one chain at once leave one chain that verifies', async () => {
  const writers = await Promise.all([startWriter(), startWriter()]);
  expect(await Promise.all(writers.map((writer) => writer.go()))).toEqual([0, 0]);
  const store = createFileAuditStore(directory, 'verify');
  expect(await store.verify()).toEqual([{ ok: true, records: 2 * APPENDS, brokenAt: null }]);
}, 60_000);
