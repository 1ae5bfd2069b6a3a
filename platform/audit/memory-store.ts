// An in-memory audit store with the same chain, for in-process tests. Not used by any process.
import { chain, verifyChain, type AuditRecord } from './record.js';
import type { AuditStore } from './store.js';

export interface MemoryAuditStore extends AuditStore {
  readonly records: AuditRecord[];
  /** Makes the next appends fail, as a database outage would. */
  failAppends(fail: boolean): void;
}

export function createMemoryAuditStore(): MemoryAuditStore {
  const records: AuditRecord[] = [];
  let failing = false;
  return {
    records,
    failAppends: (fail) => {
      failing = fail;
    },
    append(events) {
      if (failing) return Promise.reject(new Error('audit store unavailable'));
      records.push(...chain(records.at(-1) ?? null, events));
      return Promise.resolve();
    },
    query: (query) =>
      Promise.resolve(
        [...records]
          .reverse()
          .filter(
            (r) =>
              (!query.nhsNumber || r.nhsNumber === query.nhsNumber) &&
              (!query.subject || r.principal.subject === query.subject),
          )
          .slice(query.offset, query.offset + query.limit),
      ),
    verify: () => Promise.resolve([verifyChain(records)]),
    close: () => Promise.resolve(),
  };
}
