// The embedded audit store: one append-only JSON-lines file per process chain under a folder
// (default .data/audit). Each append is written and fsync'd before the read it records is
// served. Used when DATABASE_URL is not set; production uses Postgres.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { chain, verifyChain, type AuditRecord } from './record.js';
import type { AuditQuery, AuditStore } from './store.js';

export function createFileAuditStore(directory: string, chainName: string): AuditStore {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${chainName}.jsonl`);
  let last = lastRecord(file);
  // Appends are serialised so the chain never forks inside this process.
  let queue: Promise<void> = Promise.resolve();

  return {
    append(events) {
      const write = queue.then(async () => {
        const records = chain(last, events);
        const handle = await open(file, 'a');
        try {
          await handle.appendFile(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
          await handle.datasync();
        } finally {
          await handle.close();
        }
        last = records.at(-1) ?? last;
      });
      queue = write.catch(() => undefined);
      return write;
    },
    query: (query) => Promise.resolve(queryAll(directory, query)),
    verify: () => Promise.resolve(chainFiles(directory).map((path) => verifyChain(readRecords(path)))),
    close: () => queue,
  };
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

function lastRecord(path: string): AuditRecord | null {
  return readRecords(path).at(-1) ?? null;
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
