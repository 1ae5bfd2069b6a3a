// What the sandbox was asked, so tests can assert batching and caching ("one PDS call for three
// patients") and the start script can show traffic. Bounded: a long-running sandbox keeps only
// the most recent entries.
import type { UpstreamName } from './server.js';

export interface RequestLogEntry {
  upstream: UpstreamName;
  method: string;
  /** Templated route, e.g. `/Patient/{id}`; `*` for a path the upstream does not serve. */
  route: string;
  /** The request target as sent, query string included. */
  path: string;
  requestId: string | null;
  correlationId: string | null;
  at: string;
}

export const MAX_LOG_ENTRIES = 1000;

export class RequestLog {
  private counts = new Map<string, number>();
  private entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    const key = `${entry.upstream} ${entry.method} ${entry.route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.entries.push(entry);
    if (this.entries.length > MAX_LOG_ENTRIES) this.entries.splice(0, this.entries.length - MAX_LOG_ENTRIES);
  }

  reset(): void {
    this.counts.clear();
    this.entries = [];
  }

  snapshot(): { counts: Record<string, number>; log: RequestLogEntry[] } {
    return { counts: Object.fromEntries(this.counts), log: [...this.entries] };
  }
}
