// What the sandbox was asked, so tests can assert batching and caching ("one PDS call for three
// patients") and the start script can show traffic. Bounded: a long-running sandbox keeps only
// the most recent entries.
import type { UpstreamName } from './upstream.js';

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
  /** Requests to this upstream in flight when this one arrived, itself included. */
  inFlight?: number;
}

export const MAX_LOG_ENTRIES = 1000;

export class RequestLog {
  private counts = new Map<string, number>();
  private entries: RequestLogEntry[] = [];
  private inFlight = new Map<UpstreamName, number>();
  private peakInFlight = new Map<UpstreamName, number>();

  /** A request to `upstream` arrived; returns how many are now in flight there. */
  enter(upstream: UpstreamName): number {
    const now = (this.inFlight.get(upstream) ?? 0) + 1;
    this.inFlight.set(upstream, now);
    this.peakInFlight.set(upstream, Math.max(now, this.peakInFlight.get(upstream) ?? 0));
    return now;
  }

  leave(upstream: UpstreamName): void {
    this.inFlight.set(upstream, Math.max(0, (this.inFlight.get(upstream) ?? 0) - 1));
  }

  record(entry: RequestLogEntry): void {
    const key = `${entry.upstream} ${entry.method} ${entry.route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.entries.push(entry);
    if (this.entries.length > MAX_LOG_ENTRIES) this.entries.splice(0, this.entries.length - MAX_LOG_ENTRIES);
  }

  reset(): void {
    this.counts.clear();
    this.entries = [];
    // Requests still in flight stay counted; the peak restarts from them.
    this.peakInFlight = new Map([...this.inFlight].filter(([, n]) => n > 0));
  }

  snapshot(): {
    counts: Record<string, number>;
    log: RequestLogEntry[];
    /** Most requests in flight at once per upstream since the last reset. */
    maxInFlight: Record<string, number>;
  } {
    return {
      counts: Object.fromEntries(this.counts),
      log: [...this.entries],
      maxInFlight: Object.fromEntries(this.peakInFlight),
    };
  }
}
