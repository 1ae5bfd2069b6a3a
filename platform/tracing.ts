// Upstream call spans: one span per logical call to a national service, its attributes safe to
// export (see tracing-attributes.ts). Written against @opentelemetry/api only, so with no SDK
// registered (OTEL_EXPORTER_OTLP_ENDPOINT unset) every call here is the API's no-op: no span,
// no allocation worth measuring, nothing exported.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { pathTemplate } from './tracing-attributes.js';

const tracer = trace.getTracer('nhs-graph.upstream');

/** Attribute names on upstream spans (and the cache attributes set on the active span). */
export const TRACE_ATTRIBUTES = {
  service: 'upstream.service',
  operation: 'upstream.operation',
  status: 'http.response.status_code',
  attempts: 'upstream.attempts',
  breaker: 'upstream.breaker.state',
  correlationId: 'correlation.id',
  cacheTier: 'cache.tier',
  cacheHit: 'cache.hit',
} as const;

export interface UpstreamSpanFacts {
  service: string;
  method: string;
  /** The concrete path; only its template (identifiers replaced) reaches the span. */
  path: string;
  correlationId: string;
}

/**
 * Runs one upstream call inside a client span named `METHOD /Template/{id}`. The span is the
 * active context while `call` runs, so the fetch instrumentation's span (when one is installed)
 * becomes its child and `traceparent` goes out with the request.
 */
export async function inUpstreamSpan<T>(
  facts: UpstreamSpanFacts,
  call: (span: Span) => Promise<T>,
): Promise<T> {
  const operation = `${facts.method} ${pathTemplate(facts.path)}`;
  return tracer.startActiveSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [TRACE_ATTRIBUTES.service]: facts.service,
        [TRACE_ATTRIBUTES.operation]: operation,
        [TRACE_ATTRIBUTES.correlationId]: facts.correlationId,
      },
    },
    async (span) => {
      try {
        return await call(span);
      } catch (error) {
        // The error's class only: a message may quote an upstream body or an identifier.
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.name : 'error',
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Records the outcome of a finished upstream call on its span. */
export function recordUpstreamOutcome(
  span: Span,
  outcome: { status?: number; attempts: number; breaker: string },
): void {
  if (outcome.status !== undefined) span.setAttribute(TRACE_ATTRIBUTES.status, outcome.status);
  span.setAttribute(TRACE_ATTRIBUTES.attempts, outcome.attempts);
  span.setAttribute(TRACE_ATTRIBUTES.breaker, outcome.breaker);
  if (outcome.status !== undefined && outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Marks the active span (an upstream call's, or the resolver's) with a cache lookup's result. */
export function recordCacheLookupOnSpan(tier: string, hit: boolean): void {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  span.setAttribute(TRACE_ATTRIBUTES.cacheTier, tier);
  span.setAttribute(TRACE_ATTRIBUTES.cacheHit, hit);
}

/** W3C trace-context headers for the active span, to add to an outgoing request. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
