// Prometheus metrics for one process (prom-client), served at GET /metrics by the gateway and
// every subgraph. Names are prefixed nhs_graph_; labels are bounded (service, status class,
// registered operation name, outcome code), never patient data.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'nhs_graph_process_' });

export const graphqlRequests = new Counter({
  name: 'nhs_graph_graphql_requests_total',
  help: 'GraphQL requests by operation name and outcome (ok, or the first error code).',
  labelNames: ['component', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const upstreamRequests = new Counter({
  name: 'nhs_graph_upstream_requests_total',
  help: 'Calls to national services by service and HTTP status (or network/timeout).',
  labelNames: ['service', 'status'] as const,
  registers: [metricsRegistry],
});

export const upstreamRetries = new Counter({
  name: 'nhs_graph_upstream_retries_total',
  help: 'Retries of idempotent calls to national services (same X-Request-ID), by service.',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
});

/** Bucket bounds are SLO thresholds too (ops/slos.yaml): a latency objective names one of them. */
export const UPSTREAM_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
export const GRAPHQL_DURATION_BUCKETS: readonly number[] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const upstreamDuration = new Histogram({
  name: 'nhs_graph_upstream_request_duration_seconds',
  help: 'Latency of calls to national services.',
  labelNames: ['service'] as const,
  buckets: [...UPSTREAM_DURATION_BUCKETS],
  registers: [metricsRegistry],
});

export const graphqlDuration = new Histogram({
  name: 'nhs_graph_graphql_request_duration_seconds',
  help: 'Time from a GraphQL request arriving to its result, by operation name (bounded as for graphql_requests_total).',
  labelNames: ['component', 'operation'] as const,
  buckets: [...GRAPHQL_DURATION_BUCKETS],
  registers: [metricsRegistry],
});

export const recordsServed = new Counter({
  name: 'nhs_graph_records_served_total',
  help: 'Records served, by service and freshness: fresh, or stale (a copy kept past its lifetime, served because the service is failing).',
  labelNames: ['service', 'freshness'] as const,
  registers: [metricsRegistry],
});

export const upstreamBreakerState = new Gauge({
  name: 'nhs_graph_upstream_breaker_state',
  help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
});

export const cacheLookups = new Counter({
  name: 'nhs_graph_cache_lookups_total',
  help: 'Cache lookups by tier and result (hit, miss).',
  labelNames: ['tier', 'result'] as const,
  registers: [metricsRegistry],
});

export const rateLimitRefusals = new Counter({
  name: 'nhs_graph_rate_limit_refusals_total',
  help: 'Requests refused by the per-client rate limit.',
  labelNames: ['client_kind'] as const,
  registers: [metricsRegistry],
});

// Operation names come from clients, so any name could become a label (and a new time series):
// only names the service registered (partners' persisted operations, by the gateway at start)
// are labels; every other named operation is `other`, an unnamed one `anonymous`. A process that
// registers none (a subgraph) labels every named operation `other`.
const registeredOperationNames = new Set<string>();

/** Names that may appear as the `operation` label, e.g. those of persisted operations. */
export function registerOperationNames(names: Iterable<string>): void {
  for (const name of names) registeredOperationNames.add(name);
}

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return registeredOperationNames.has(name) ? name : 'other';
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

export const speculativeFetches = new Counter({
  name: 'nhs_graph_speculative_entity_fetches_total',
  help: 'Entity fetches the gateway started alongside the root fetch, by subgraph: used, or discarded because the plan asked for something else.',
  labelNames: ['subgraph', 'outcome'] as const,
  registers: [metricsRegistry],
});
