// Fault injection per upstream: latency, 503s, 429s, hangs and malformed bodies, by rate (from a
// seeded PRNG, so a run is repeatable) or for exactly the next n requests (`failNext`, for tests
// that must not be flaky). The server asks `decide` once per upstream request and answers the
// chosen fault in the upstream's real error shape (PDS: Spine OperationOutcome payloads).
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { FHIR_JSON, operationOutcome, sendJson } from './http-util.js';

const rate = z.number().min(0).max(1);
/**
 * `lostResponse`: the request is handled (a write is applied) and then answered 503, as when the
 * upstream's answer is lost on the way back; the case idempotent retries exist for.
 */
export const FAULT_KINDS = ['error', 'rateLimit', 'hang', 'malformed', 'lostResponse'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Strict so a typo (`latency`) is a 400, not a silently ignored setting. Every field is optional
 * (absent: no such fault); a PUT replaces the upstream's whole configuration.
 */
export const FaultConfigSchema = z
  .strictObject({
    /** Added before answering each request (capped at 10 minutes). */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Share of requests answered 503 with the upstream's SERVICE_UNAVAILABLE outcome and Retry-After. */
    errorRate: rate.optional(),
    /** Share of requests answered 429 (TOO_MANY_REQUESTS) with Retry-After. */
    status429Rate: rate.optional(),
    /** Share of requests never answered: the socket closes after HANG_MS or when the client gives up. */
    hangRate: rate.optional(),
    /** Share of requests answered 200 with a truncated, non-JSON body. */
    malformedRate: rate.optional(),
    /** The Retry-After (seconds) sent with 503 and 429 faults; default 1. */
    retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    /** The next n requests fail with `failKind`, whatever the rates; counts down as they do. */
    failNext: z.number().int().min(0).max(10_000).optional(),
    /** What `failNext` requests do; default `error` (503). */
    failKind: z.enum(FAULT_KINDS).optional(),
    /** Seed of the PRNG the rates draw from; default 1. Each PUT restarts the sequence. */
    seed: z.number().int().optional(),
    /** Only requests with these HTTP methods meet faults (e.g. `["PATCH"]`); default every method. */
    methods: z
      .array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
      .min(1)
      .optional(),
  })
  .refine(
    (c) => (c.errorRate ?? 0) + (c.status429Rate ?? 0) + (c.hangRate ?? 0) + (c.malformedRate ?? 0) <= 1,
    { message: 'errorRate + status429Rate + hangRate + malformedRate must be at most 1' },
  );
export type FaultConfig = z.infer<typeof FaultConfigSchema>;
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

/** How long a hung request holds its socket before the sandbox closes it. */
export const HANG_MS = 60_000;
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** mulberry32: a small, fast, seedable PRNG; plenty for choosing faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One upstream's faults and where its PRNG and `failNext` count have got to. */
export class UpstreamFaults {
  private random: () => number;

  constructor(public config: FaultConfig) {
    this.random = seededRandom(config.seed ?? 1);
  }

  /** Replaces the configuration (a PUT): the PRNG restarts from the (new) seed. */
  set(config: FaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? 1);
  }

  /** The fault for the next request, or null to answer normally. */
  decide(method = 'GET'): FaultKind | null {
    const c = this.config;
    if (c.methods !== undefined && !c.methods.includes(method as (typeof c.methods)[number])) return null;
    if ((c.failNext ?? 0) > 0) {
      this.config = { ...c, failNext: (c.failNext ?? 0) - 1 };
      return c.failKind ?? 'error';
    }
    const rates: Array<[FaultKind, number]> = [
      ['hang', c.hangRate ?? 0],
      ['error', c.errorRate ?? 0],
      ['rateLimit', c.status429Rate ?? 0],
      ['malformed', c.malformedRate ?? 0],
    ];
    if (rates.every(([, r]) => r === 0)) return null;
    let draw = this.random();
    for (const [kind, r] of rates) {
      if (draw < r) return kind;
      draw -= r;
    }
    return null;
  }

  get retryAfterSeconds(): number {
    return this.config.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }
}

const SPINE = 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode';

/** PDS's own outcome shape (specification/components/paths/patient-*.yaml, 503 and 429). */
function spineOutcome(code: string, issueCode: string, display: string, diagnostics: string): unknown {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: issueCode,
        details: { coding: [{ system: SPINE, version: '1', code, display }] },
        diagnostics,
      },
    ],
  };
}

function unavailableBody(upstream: string): unknown {
  if (upstream === 'pds')
    return spineOutcome(
      'SERVICE_UNAVAILABLE',
      'timeout',
      'Service unavailable',
      "The downstream domain processing has not completed within the configured timeout period. Using the same 'X-Request-ID' header, retry your request after the time specified by the 'Retry-After' response header.",
    );
  // HAPI FHIR servers (ODS) and the others: a plain OperationOutcome, as their gateways send.
  return operationOutcome('transient', 'Service unavailable; retry after the time in Retry-After.');
}

function rateLimitedBody(upstream: string): unknown {
  if (upstream === 'pds')
    return spineOutcome(
      'TOO_MANY_REQUESTS',
      'throttled',
      'Too many requests',
      "You have exceeded your application's rate limit.",
    );
  return operationOutcome('throttled', 'Too many requests; retry after the time in Retry-After.');
}

/**
 * Answers `kind` for `upstream`. A hang resolves once the socket has been closed: after HANG_MS,
 * when the client gives up, or when `closing` aborts (the sandbox is shutting down).
 */
export async function answerFault(
  res: ServerResponse,
  upstream: string,
  kind: FaultKind,
  retryAfterSeconds: number,
  closing: AbortSignal,
): Promise<void> {
  const retryAfter = { 'Retry-After': String(retryAfterSeconds) };
  switch (kind) {
    case 'error':
    case 'lostResponse': // the server handled the request first (server.ts)
      return sendJson(res, 503, unavailableBody(upstream), retryAfter, FHIR_JSON);
    case 'rateLimit':
      return sendJson(res, 429, rateLimitedBody(upstream), retryAfter, FHIR_JSON);
    case 'malformed': {
      const body = '{"resourceType":"Patient","id":"90000';
      res.writeHead(200, { 'Content-Type': FHIR_JSON, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    case 'hang':
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          closing.removeEventListener('abort', done);
          res.destroy();
          resolve();
        };
        const timer = setTimeout(done, HANG_MS);
        closing.addEventListener('abort', done, { once: true });
        res.once('close', done);
      });
  }
}
