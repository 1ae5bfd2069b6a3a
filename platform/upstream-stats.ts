// A rolling window of recent calls per upstream, for the integration status view: error rate
// by type and latency percentiles over the last few minutes, in this process.
import { upstreamBreakerState } from './metrics.js';

const WINDOW_MS = 5 * 60 * 1000;
const MAX_SAMPLES = 5000;

/**
 * How an upstream call ended. `not-found` and `refused` (other 4xx) are answers about the
 * request, not failures of the service: the status view counts them apart, as the SLOs do
 * (ops/slos.yaml).
 */
export type CallOutcome =
  'ok' | 'not-found' | 'refused' | 'server-error' | 'rate-limited' | 'timeout' | 'network';
export type ClientErrorOutcome = Extract<CallOutcome, 'not-found' | 'refused'>;
export type FailureOutcome = Exclude<CallOutcome, 'ok' | ClientErrorOutcome>;
const CLIENT_ERRORS: ReadonlySet<CallOutcome> = new Set<ClientErrorOutcome>(['not-found', 'refused']);

interface Sample {
  at: number;
  ms: number;
  outcome: CallOutcome;
}

const samples = new Map<string, Sample[]>();

export type BreakerState = 'closed' | 'half-open' | 'open';
const breakers = new Map<string, BreakerState>();

/** The circuit breaker state of an upstream, for /metrics and the status view. */
export function setBreakerState(service: string, state: BreakerState): void {
  breakers.set(service, state);
  upstreamBreakerState.set({ service }, state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
}

export function recordUpstreamCall(service: string, ms: number, outcome: CallOutcome): void {
  const list = samples.get(service) ?? [];
  list.push({ at: Date.now(), ms, outcome });
  if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  samples.set(service, list);
}

export function outcomeOfStatus(status: number): CallOutcome {
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  if (status === 404 || status === 410) return 'not-found';
  if (status >= 400) return 'refused';
  return 'ok';
}

export interface UpstreamStatus {
  service: string;
  breaker: BreakerState;
  windowSeconds: number;
  calls: number;
  /** Share of calls the service failed (5xx, 429, timeout, no answer). */
  failureRate: number;
  failuresByType: Partial<Record<FailureOutcome, number>>;
  /** Calls answered "not found" or refused (other 4xx): counted, but not failures. */
  clientErrors: Partial<Record<ClientErrorOutcome, number>>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  lastCallAt: string | null;
}

export function upstreamStatuses(now = Date.now()): UpstreamStatus[] {
  const services = new Set([...breakers.keys(), ...samples.keys()]);
  return [...services].map((service) => {
    const list = samples.get(service) ?? [];
    const recent = list.filter((sample) => now - sample.at <= WINDOW_MS);
    const failuresByType: Partial<Record<FailureOutcome, number>> = {};
    const clientErrors: Partial<Record<ClientErrorOutcome, number>> = {};
    for (const { outcome } of recent) {
      if (outcome === 'ok') continue;
      const counts: Partial<Record<CallOutcome, number>> = CLIENT_ERRORS.has(outcome)
        ? clientErrors
        : failuresByType;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    const failures = Object.values(failuresByType).reduce((sum, n) => sum + n, 0);
    const latencies = recent.map((sample) => sample.ms).sort((a, b) => a - b);
    const last = list.at(-1);
    return {
      service,
      breaker: breakers.get(service) ?? 'closed',
      windowSeconds: WINDOW_MS / 1000,
      calls: recent.length,
      failureRate: recent.length === 0 ? 0 : failures / recent.length,
      failuresByType,
      clientErrors,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
      },
      lastCallAt: last ? new Date(last.at).toISOString() : null,
    };
  });
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
}

interface CacheSample {
  at: number;
  /** Age of the entry served, or null for a miss. */
  ageMs: number | null;
}

const cacheSamples = new Map<string, CacheSample[]>();

/** Notes a cache lookup in a tier: the age of the entry served on a hit, null on a miss. */
export function recordCacheLookup(tier: string, ageMs: number | null): void {
  const list = cacheSamples.get(tier) ?? [];
  list.push({ at: Date.now(), ageMs });
  if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  cacheSamples.set(tier, list);
}

export interface CacheStatus {
  tier: string;
  windowSeconds: number;
  lookups: number;
  hitRate: number;
  /** How old the entries served from cache were: freshness as clients saw it. */
  servedAgeSeconds: { p50: number | null; max: number | null };
}

export function cacheStatuses(now = Date.now()): CacheStatus[] {
  return [...cacheSamples.entries()].map(([tier, list]) => {
    const recent = list.filter((sample) => now - sample.at <= WINDOW_MS);
    const ages = recent
      .map((sample) => sample.ageMs)
      .filter((age): age is number => age !== null)
      .sort((a, b) => a - b);
    const seconds = (value: number | null) => (value === null ? null : Math.round(value / 1000));
    return {
      tier,
      windowSeconds: WINDOW_MS / 1000,
      lookups: recent.length,
      hitRate: recent.length === 0 ? 0 : ages.length / recent.length,
      servedAgeSeconds: { p50: seconds(percentile(ages, 0.5)), max: seconds(ages.at(-1) ?? null) },
    };
  });
}
