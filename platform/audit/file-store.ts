// The embedded audit store: one append-only JSON-lines hash chain per source (`<chain>.jsonl`)
// under a folder (AUDIT_DIR, default .data/audit). Each append is written and fsync'd before the
// read it records is served. Used when DATABASE_URL is not set; production uses Postgres.
//
// Several processes may write one folder (two stacks, tests in parallel, a restarted subgraph
// beside its predecessor): each append holds `<chain>.jsonl.lock` (created exclusively) while it
// reads the chain's last record from the file and appends after it, so a chain never forks.
// A lock left by a process that died is taken over once its holder is gone or it is stale.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chain, verifyChain, type AuditRecord } from './record.js';
import type { AuditQuery, AuditStore } from './store.js';

/** Waiting longer than this for another writer fails the append (the read is then refused). */
const LOCK_WAIT_MS = 5000;
/** A lock older than this is abandoned: an append takes milliseconds. */
const LOCK_STALE_MS = 10_000;
/** The last record is read from the file's tail; records are far smaller than this. */
const TAIL_BYTES = 64 * 1024;

export function createFileAuditStore(directory: string, chainName: string): AuditStore {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${chainName}.jsonl`);
  // Appends are serialised within this process too, so each waits for the lock only once.
  let queue: Promise<void> = Promise.resolve();

  return {
    append(events) {
      const write = queue.then(() =>
        withLock(`${file}.lock`, async () => {
          const handle = await open(file, 'a+');
          try {
            const records = chain(await lastRecord(handle), events);
            await handle.appendFile(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
            await handle.datasync();
          } finally {
            await handle.close();
          }
        }),
      );
      queue = write.catch(() => undefined);
      return write;
    },
    query: (query) => Promise.resolve(queryAll(directory, query)),
    verify: () => Promise.resolve(chainFiles(directory).map((path) => verifyChain(readRecords(path)))),
    close: () => queue,
  };
}

async function withLock<T>(lockFile: string, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const lock = await open(lockFile, 'wx');
      await lock.writeFile(String(process.pid));
      await lock.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await abandoned(lockFile)) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new Error('the audit chain is locked by another writer');
      await sleep(Math.min(2 ** attempt, 50));
    }
  }
  try {
    return await run();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

/** Held by a process that no longer runs, or for far longer than any append takes. */
async function abandoned(lockFile: string): Promise<boolean> {
  const [holder, info] = await Promise.all([
    readFile(lockFile, 'utf8').catch(() => ''),
    stat(lockFile).catch(() => null),
  ]);
  if (info === null) return false;
  if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
  const pid = Number(holder);
  // An empty file is a lock being written this instant.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The chain's last record, read from the end of the file (under the lock: no one else appends). */
async function lastRecord(handle: FileHandle): Promise<AuditRecord | null> {
  const { size } = await handle.stat();
  if (size === 0) return null;
  const length = Math.min(size, TAIL_BYTES);
  const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
  const lines = buffer
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  // A tail that does not hold one whole record: read the file (records are never this large).
  if (lines.length < (length < size ? 2 : 1)) {
    const all = (await handle.readFile('utf8')).split('\n').filter((line) => line.trim() !== '');
    return all.length === 0 ? null : (JSON.parse(all.at(-1)!) as AuditRecord);
  }
  return JSON.parse(lines.at(-1)!) as AuditRecord;
}

function chainFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(directory, name));
}

function readRecords(path: string): AuditRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

function queryAll(directory: string, query: AuditQuery): AuditRecord[] {
  return chainFiles(directory)
    .flatMap(readRecords)
    .filter(
      (record) =>
        (!query.nhsNumber || record.nhsNumber === query.nhsNumber) &&
        (!query.subject || record.principal.subject === query.subject) &&
        (!query.correlationId || record.correlationId === query.correlationId),
    )
    .sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq)
    .slice(query.offset, query.offset + query.limit);
}
