// The one way services call an upstream: base URL from config, a timeout on every attempt, a
// fresh UUID X-Request-ID per logical call, reused by its retries (PDS requires one and
// de-duplicates on it) and the request's X-Correlation-ID. Network failures and timeouts become
// UPSTREAM_UNAVAILABLE; upstream bodies never reach the client.
//
// Resilience, per upstream and per process (one client per upstream per process):
// - a concurrency limit (cockatiel bulkhead): at most `maxConcurrent` calls in flight, whatever
//   the number of concurrent GraphQL requests; the rest queue (bounded) for a slot;
// - a circuit breaker: after consecutive failures calls are refused at once for a while;
// - bounded retries of idempotent calls (GET, or a request marked `idempotent`): network
//   errors, timeouts, 408, 429, 502, 503, 504; never another 4xx, never a write without an
//   idempotency key. Jittered exponential back-off; a Retry-After (seconds or HTTP date) is
//   waited out when it is within `maxRetryAfterSeconds` and the call's time budget, else the
//   call fails at once with UPSTREAM_UNAVAILABLE and `retryAfter`. Each attempt goes through the
//   breaker, and an open breaker ends the retries: a retry storm cannot keep it busy.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleType,
} from 'cockatiel';
import type { RetryConfig, UpstreamConfig } from './config.js';
import { CORRELATION_HEADER, REQUEST_ID_HEADER } from './correlation.js';
import type { GraphQLError } from 'graphql';
import { badUserInput, upstreamInvalidResponse, upstreamUnavailable } from './errors.js';
import type { Logger } from './logger.js';
import { upstreamDuration, upstreamRequests, upstreamRetries } from './metrics.js';
import {
  outcomeOfStatus,
  recordUpstreamCall,
  setBreakerState,
  type BreakerState,
  type CallOutcome,
} from './upstream-stats.js';
import { inUpstreamSpan, recordUpstreamOutcome, traceHeaders } from './tracing.js'; // tracing (H21t)

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the upstream's base URL, e.g. `/Patient/9000000009`. */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  /** JSON request body. */
  body?: unknown;
  correlationId: string;
  /**
   * Set only when repeating the request cannot change the upstream's state twice (a POST search,
   * or a write carrying an idempotency key the upstream honours). GET is always idempotent.
   */
  idempotent?: boolean;
  /**
   * The X-Request-ID to send (a UUID); default a fresh one. A keyed write passes its
   * `requestIdFor` id, so a client's repeat of an ambiguous write reaches the upstream with the
   * id it can de-duplicate on.
   */
  requestId?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the upstream sent none. */
  body: unknown;
  /** The X-Request-ID this call was sent with (the same on every retry of one call). */
  requestId: string;
  /** Attempts this answer took, the first included. */
  attempts?: number;
}

export interface UpstreamClient {
  readonly name: string;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
}

/** Consecutive failures (network, timeout, 5xx) that open an upstream's breaker. */
const BREAKER_FAILURES = 5;
/** How long an open breaker refuses calls before letting one through to test the upstream. */
const BREAKER_HALF_OPEN_MS = 10_000;
/** Calls in flight per upstream per process when the config names no limit. */
const DEFAULT_MAX_CONCURRENT = 10;
/** Calls that may wait for a slot; beyond it a call is refused as UPSTREAM_UNAVAILABLE. */
const MAX_QUEUED = 1000;
export const DEFAULT_RETRY: Required<RetryConfig> = {
  maxAttempts: 3,
  budgetMs: 10_000,
  maxRetryAfterSeconds: 5,
  baseDelayMs: 100,
  maxDelayMs: 2000,
};
/** Statuses worth another attempt: the upstream may answer differently in a moment. */
const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

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

  const policy: Required<RetryConfig> = { ...DEFAULT_RETRY, ...config.retry };
  // Process-wide: every request's calls to this upstream share these slots.
  const slots = bulkhead(config.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, MAX_QUEUED);

  const attempt = async (
    request: UpstreamRequest,
    requestId: string,
    timeoutMs: number,
  ): Promise<UpstreamResponse> => {
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(buildUrl(config.baseUrl, request), {
        method: request.method ?? 'GET',
        headers: { ...buildHeaders(request, requestId), ...traceHeaders() }, // tracing (H21t)
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
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

  /** One attempt through the breaker and a concurrency slot: the answer, or why there was none. */
  const once = async (
    request: UpstreamRequest,
    requestId: string,
    timeoutMs: number,
  ): Promise<{ response: UpstreamResponse } | { failure: string; response?: UpstreamResponse }> => {
    try {
      // Breaker outside the slot: an open breaker refuses without queueing for a slot.
      return {
        response: await breaker.execute(() => slots.execute(() => attempt(request, requestId, timeoutMs))),
      };
    } catch (error) {
      if (error instanceof UpstreamFailure)
        return error.response
          ? { failure: error.reason, response: error.response }
          : { failure: error.reason };
      if (error instanceof BrokenCircuitError) return { failure: 'breaker-open' };
      if (error instanceof BulkheadRejectedError) return { failure: 'saturated' };
      throw error; // e.g. UPSTREAM_INVALID_RESPONSE: retrying would not make it parse
    }
  };

  const untraced: UpstreamClient = {
    // tracing (H21t): was `return {`
    name: config.name,
    async request(request) {
      checkRequest(request);
      const requestId = request.requestId ?? randomUUID();
      const started = Date.now();
      const maxAttempts = isIdempotent(request) ? Math.max(1, policy.maxAttempts) : 1;
      for (let attemptNo = 1; ; attemptNo += 1) {
        const remaining = policy.budgetMs - (Date.now() - started);
        const result = await once(request, requestId, Math.max(1, Math.min(config.timeoutMs, remaining)));
        const response =
          result.response === undefined ? undefined : { ...result.response, attempts: attemptNo };
        if (!('failure' in result) && response !== undefined && !RETRYABLE_STATUS.has(response.status))
          return response;
        const reason = 'failure' in result ? result.failure : `status ${response?.status ?? '?'}`;
        // An open breaker or a full queue: retrying now would only add load.
        const final = reason === 'breaker-open' || reason === 'saturated' || attemptNo >= maxAttempts;
        // A 5xx, 408 or 429 still reaches the source, which maps its OperationOutcome: 503 ->
        // UPSTREAM_UNAVAILABLE, 429 -> RATE_LIMITED, with `retryAfter` from the Retry-After header
        // (rewritten here as seconds when the upstream sent an HTTP date). No answer at all
        // (network, timeout, open breaker) is UPSTREAM_UNAVAILABLE.
        const giveUp = (retryAfter?: number): UpstreamResponse => {
          if (response === undefined) throw upstreamUnavailable(config.name);
          if (retryAfter === undefined) return response;
          const headers = new Headers(response.headers);
          headers.set('retry-after', String(retryAfter));
          return { ...response, headers };
        };
        if (final) return giveUp();
        const retryAfterMs = response ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
        const retryAfter = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterSeconds) return giveUp(retryAfter);
        const wait = Math.max(retryAfterMs ?? 0, backoff(attemptNo, policy));
        if (Date.now() - started + wait >= policy.budgetMs) return giveUp(retryAfter);
        logger.warn(
          {
            upstream: config.name,
            requestId,
            reason,
            attempt: attemptNo,
            waitMs: Math.round(wait),
            correlationId: request.correlationId,
          },
          'upstream call failed; retrying with the same X-Request-ID',
        );
        upstreamRetries.inc({ service: config.name });
        await sleep(wait);
      }
    },
  };
  // tracing (H21t): one client span per logical call, its outcome recorded as it ends.
  const breakerNow = (): BreakerState => breakerStateName(breaker.state);
  return {
    name: config.name,
    request: (request) =>
      inUpstreamSpan(
        {
          service: config.name,
          method: request.method ?? 'GET',
          path: request.path,
          correlationId: request.correlationId,
        },
        async (span) => {
          try {
            const response = await untraced.request(request);
            recordUpstreamOutcome(span, {
              status: response.status,
              attempts: response.attempts ?? 1,
              breaker: breakerNow(),
            });
            return response;
          } catch (error) {
            recordUpstreamOutcome(span, { attempts: 0, breaker: breakerNow() });
            throw error;
          }
        },
      ),
  };
}

function isIdempotent(request: UpstreamRequest): boolean {
  const method = request.method ?? 'GET';
  return method === 'GET' || request.idempotent === true;
}

/** Exponential back-off with equal jitter: between half and all of min(cap, base * 2^(n-1)). */
export function backoff(
  attemptNo: number,
  policy: Pick<Required<RetryConfig>, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNo - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An upstream answer's Retry-After in whole seconds, for `extensions.retryAfter`; undefined if none. */
export function retryAfterSeconds(response: UpstreamResponse): number | undefined {
  const ms = parseRetryAfter(response.headers.get('retry-after'));
  return ms === undefined || ms <= 0 ? undefined : Math.ceil(ms / 1000);
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

/**
 * An upstream path from trusted literal parts and values: `` upstreamPath`/Patient/${nhsNumber}` ``.
 * Each value is one path segment, percent-encoded (so `/`, `?`, `#`, `%`, CR and LF cannot change
 * the path or add a query) and refused when empty, "." or ".." (dot segments, which a server or
 * proxy resolves into another path). Values are checked to their shape before this
 * (platform/upstream-keys.ts); this is the last line, so nothing reaches the network either way.
 */
export function upstreamPath(literals: TemplateStringsArray, ...values: readonly string[]): string {
  return literals.reduce((path, literal, i) => {
    if (i === 0) return literal;
    return `${path}${pathSegment(values[i - 1])}${literal}`;
  }, '');
}

function pathSegment(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..') throw unsafeRequest();
  return encodeURIComponent(value);
}

// Paths are built by upstreamPath or are literals: a path that is not absolute, or that could be
// read as a dot segment, a query or a fragment, is a bug, refused before it is sent.
const SAFE_PATH = /^(\/([A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*)*$/;
const DOT_SEGMENT = /\/(\.|%2E){1,2}(\/|$)/i;
/** CR, LF and NUL end or split a header line (RFC 9110 §5.5); refused in any header value. */
const UNSAFE_HEADER_VALUE = /[\r\n\0]/;

function unsafeRequest(): GraphQLError {
  return badUserInput('A value cannot be part of an upstream request.');
}

/** Refuses, before any attempt, a request whose path or headers could be read as another request. */
function checkRequest(request: UpstreamRequest): void {
  if (!SAFE_PATH.test(request.path) || DOT_SEGMENT.test(request.path)) throw unsafeRequest();
  const values = [...Object.values(request.headers ?? {}), request.correlationId, request.requestId ?? ''];
  if (values.some((value) => UNSAFE_HEADER_VALUE.test(value))) throw unsafeRequest();
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
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The connection dropped or the attempt timed out while the body was arriving.
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network';
    throw new UpstreamFailure(reason);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw upstreamInvalidResponse(upstream);
  }
}
