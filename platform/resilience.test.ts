// The upstream client's retries, breaker, timeouts and process-wide concurrency limit, over real
// HTTP against the sandbox with injected faults. Faults use `failNext` (exact counts) or rate 1,
// never chance, so these tests are deterministic. Times are asserted as lower bounds only.
import { GraphQLError } from 'graphql';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import type { UpstreamConfig } from './config.js';
import { createUpstreamClient, parseRetryAfter } from './http.js';
import { createLogger } from './logger.js';

const logger = createLogger('test', 'silent');
let sandbox: Sandbox;
let pdsBase: string;

interface LogEntry {
  upstream: string;
  requestId: string | null;
  inFlight?: number;
}

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  pdsBase = `${sandbox.url}/personal-demographics/FHIR/R4`;
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await setFaults({ latencyMs: 0 });
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});

async function setFaults(faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.url}/_sandbox/faults/pds`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (res.status !== 200) throw new Error(`fault config refused: ${await res.text()}`);
}

async function pdsLog(): Promise<{ log: LogEntry[]; maxInFlight: Record<string, number> }> {
  const snapshot = (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as {
    log: LogEntry[];
    maxInFlight: Record<string, number>;
  };
  return { log: snapshot.log.filter((e) => e.upstream === 'pds'), maxInFlight: snapshot.maxInFlight };
}

let clients = 0;
/** A fresh client (own breaker and slots) per test, so tests do not share breaker state. */
const pdsClient = (overrides: Partial<UpstreamConfig> = {}) =>
  createUpstreamClient(
    {
      name: `PDS-TEST-${(clients += 1)}`,
      baseUrl: pdsBase,
      timeoutMs: 2000,
      retry: { maxAttempts: 3, budgetMs: 10_000, maxRetryAfterSeconds: 5, baseDelayMs: 20, maxDelayMs: 100 },
      ...overrides,
    },
    logger,
  );

const read = (client: ReturnType<typeof pdsClient>, nhsNumber = '9000000009') =>
  client.request({ path: `/Patient/${nhsNumber}`, correlationId: 'resilience-test' });

async function errorOf(call: Promise<unknown>): Promise<GraphQLError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('retries of idempotent reads', () => {
  it('recovers from two injected 503s, sending the same X-Request-ID three times', async () => {
    await setFaults({ failNext: 2, failKind: 'error', retryAfterSeconds: 0 });
    const response = await read(pdsClient());
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(3);
    const { log } = await pdsLog();
    expect(log).toHaveLength(3);
    expect(new Set(log.map((e) => e.requestId))).toEqual(new Set([response.requestId]));
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('waits at least the Retry-After the upstream sent (429)', async () => {
    await setFaults({ failNext: 1, failKind: 'rateLimit', retryAfterSeconds: 1 });
    const started = performance.now();
    const response = await read(pdsClient());
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect((await pdsLog()).log).toHaveLength(2);
  });

  it('does not wait out a Retry-After beyond the configured maximum: the 503 goes to the source at once', async () => {
    await setFaults({ failNext: 1, failKind: 'error', retryAfterSeconds: 120 });
    const response = await read(pdsClient()); // within the test timeout: it did not wait 120 s
    expect(response.status).toBe(503); // the source maps it: UPSTREAM_UNAVAILABLE, retryAfter 120
    expect(response.headers.get('retry-after')).toBe('120');
    expect((await pdsLog()).log).toHaveLength(1);
  });

  it('does not retry a 404', async () => {
    const response = await read(pdsClient(), '9111231130');
    expect(response.status).toBe(404);
    expect((await pdsLog()).log).toHaveLength(1);
  });

  it('gives the source the last 503 (with Retry-After) when every attempt failed', async () => {
    await setFaults({ errorRate: 1, retryAfterSeconds: 0 });
    const response = await read(pdsClient());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('0');
    expect(JSON.stringify(response.body)).toContain('SERVICE_UNAVAILABLE');
    expect((await pdsLog()).log).toHaveLength(3);
  });

  it('never retries a write that is not marked idempotent', async () => {
    await setFaults({ failNext: 5, failKind: 'error', retryAfterSeconds: 0 });
    const client = pdsClient();
    const write = await client.request({ method: 'POST', path: '/Patient', body: {}, correlationId: 'c' });
    expect(write.status).toBe(503);
    expect((await pdsLog()).log).toHaveLength(1);
    const search = await client.request({
      method: 'POST',
      path: '/Patient',
      body: {},
      correlationId: 'c',
      idempotent: true,
    });
    expect(search.status).toBe(503);
    expect((await pdsLog()).log).toHaveLength(4);
  });
});

describe('breaker, timeouts and malformed answers', () => {
  it('opens the breaker under sustained failure; then calls stop reaching the upstream', async () => {
    await setFaults({ errorRate: 1, retryAfterSeconds: 0 });
    const client = pdsClient();
    expect((await read(client)).status).toBe(503); // 3 attempts
    // The 5th consecutive failure opens the breaker mid-call: the call ends there.
    expect((await errorOf(read(client))).extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect((await pdsLog()).log).toHaveLength(5);
    for (let i = 0; i < 5; i += 1)
      expect((await errorOf(read(client))).extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect((await pdsLog()).log).toHaveLength(5);
  });

  it('gives up on a hung upstream after the timeout: UPSTREAM_UNAVAILABLE', async () => {
    await setFaults({ hangRate: 1 });
    const client = pdsClient({ timeoutMs: 200 });
    const started = performance.now();
    expect((await errorOf(read(client))).extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 200);
    expect((await pdsLog()).log).toHaveLength(3);
  });

  it('answers UPSTREAM_INVALID_RESPONSE for a truncated body, without retrying', async () => {
    await setFaults({ failNext: 1, failKind: 'malformed' });
    expect((await errorOf(read(pdsClient()))).extensions['code']).toBe('UPSTREAM_INVALID_RESPONSE');
    expect((await pdsLog()).log).toHaveLength(1);
  });
});

describe('process-wide concurrency limit', () => {
  it('keeps at most maxConcurrent calls in flight however many requests run at once', async () => {
    await setFaults({ latencyMs: 100 });
    const client = pdsClient({ maxConcurrent: 5 });
    // 50 "requests", each fanning out to 5 patients with its own per-request concurrency of 5.
    const requests = Array.from({ length: 50 }, () =>
      Promise.all(Array.from({ length: 5 }, () => read(client))),
    );
    const answers = (await Promise.all(requests)).flat();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const { log, maxInFlight } = await pdsLog();
    expect(log).toHaveLength(250);
    expect(maxInFlight['pds']).toBeLessThanOrEqual(5);
    expect(Math.max(...log.map((e) => e.inFlight ?? 0))).toBeLessThanOrEqual(5);
    expect(maxInFlight['pds']).toBe(5); // the limit is reached, so it is what bounds the calls
  }, 30_000);
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
