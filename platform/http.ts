// The one way services call an upstream: base URL from config, a timeout on every call, a
// fresh UUID X-Request-ID per call (PDS requires one and de-duplicates on it) and the request's
// X-Correlation-ID. Network failures and timeouts become UPSTREAM_UNAVAILABLE; upstream bodies
// never reach the client. A circuit breaker per upstream stops calls to a failing service for a
// while. (Retries with back-off and stale-if-error arrive with the resilience issue.)
import { randomUUID } from 'node:crypto';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleType } from 'cockatiel';
import type { UpstreamConfig } from './config.js';
import { CORRELATION_HEADER, REQUEST_ID_HEADER } from './correlation.js';
import { upstreamInvalidResponse, upstreamUnavailable } from './errors.js';
import type { Logger } from './logger.js';
import { upstreamDuration, upstreamRequests } from './metrics.js';
import {
  outcomeOfStatus,
  recordUpstreamCall,
  setBreakerState,
  type BreakerState,
  type CallOutcome,
} from './upstream-stats.js';

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the upstream's base URL, e.g. `/Patient/9000000009`. */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  /** JSON request body. */
  body?: unknown;
  correlationId: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the upstream sent none. */
  body: unknown;
  /** The X-Request-ID this call was sent with. */
  requestId: string;
}

export interface UpstreamClient {
  readonly name: string;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
}

/** Consecutive failures (network, timeout, 5xx) that open an upstream's breaker. */
const BREAKER_FAILURES = 5;
/** How long an open breaker refuses calls before letting one through to test the upstream. */
const BREAKER_HALF_OPEN_MS = 10_000;

/** A call that counts against the breaker; carries the upstream's answer when there was one. */
class UpstreamFailure extends Error {
  constructor(
    readonly reason: string,
    readonly response?: UpstreamResponse,
  ) {
    super(reason);
  }
}

export function createUpstreamClient(config: UpstreamConfig, logger: Logger): UpstreamClient {
  // One breaker per upstream per process: a failing national service is not hammered, and
  // callers get UPSTREAM_UNAVAILABLE at once while it is open.
  const breaker = circuitBreaker(handleType(UpstreamFailure), {
    halfOpenAfter: BREAKER_HALF_OPEN_MS,
    breaker: new ConsecutiveBreaker(BREAKER_FAILURES),
  });
  setBreakerState(config.name, 'closed');
  breaker.onStateChange((state) => {
    const name = breakerStateName(state);
    setBreakerState(config.name, name);
    logger.warn({ upstream: config.name, breaker: name }, 'upstream circuit breaker changed state');
  });

  const attempt = async (request: UpstreamRequest): Promise<UpstreamResponse> => {
    const requestId = randomUUID();
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(buildUrl(config.baseUrl, request), {
        method: request.method ?? 'GET',
        headers: buildHeaders(request, requestId),
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network';
      observe(config.name, started, reason, reason);
      logger.warn(
        { upstream: config.name, requestId, reason, correlationId: request.correlationId },
        'upstream call failed',
      );
      throw new UpstreamFailure(reason);
    }
    observe(config.name, started, String(response.status), outcomeOfStatus(response.status));
    const body = await readJsonBody(response, config.name);
    logger.debug(
      {
        upstream: config.name,
        requestId,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      'upstream call',
    );
    const answer = { status: response.status, headers: response.headers, body, requestId };
    if (response.status >= 500) throw new UpstreamFailure(`status ${response.status}`, answer);
    return answer;
  };

  return {
    name: config.name,
    async request(request) {
      try {
        return await breaker.execute(() => attempt(request));
      } catch (error) {
        // A 5xx still reaches the source, which maps its OperationOutcome (e.g. Retry-After).
        if (error instanceof UpstreamFailure && error.response) return error.response;
        if (error instanceof UpstreamFailure || error instanceof BrokenCircuitError)
          throw upstreamUnavailable(config.name);
        throw error;
      }
    },
  };
}

function breakerStateName(state: CircuitState): BreakerState {
  if (state === CircuitState.Open || state === CircuitState.Isolated) return 'open';
  return state === CircuitState.HalfOpen ? 'half-open' : 'closed';
}

function observe(service: string, started: number, status: string, outcome: CallOutcome): void {
  const ms = performance.now() - started;
  upstreamRequests.inc({ service, status });
  upstreamDuration.observe({ service }, ms / 1000);
  recordUpstreamCall(service, ms, outcome);
}

function buildUrl(baseUrl: string, request: UpstreamRequest): string {
  const query = request.query?.toString();
  return `${baseUrl}${request.path}${query ? `?${query}` : ''}`;
}

function buildHeaders(request: UpstreamRequest, requestId: string): Record<string, string> {
  return {
    accept: 'application/fhir+json, application/json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
    ...request.headers,
    [REQUEST_ID_HEADER]: requestId,
    [CORRELATION_HEADER]: request.correlationId,
  };
}

async function readJsonBody(response: Response, upstream: string): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw upstreamInvalidResponse(upstream);
  }
}
