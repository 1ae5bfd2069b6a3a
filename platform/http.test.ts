// The upstream client over real HTTP against a stand-in server: headers it sends, and its
// circuit breaker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createUpstreamClient } from './http.js';
import { createLogger } from './logger.js';
import { metricsText } from './metrics.js';
import { upstreamStatuses } from './upstream-stats.js';

const logger = createLogger('test', 'silent');
let server: Server;
let baseUrl: string;
let status = 200;
const received: Array<Record<string, string | string[] | undefined>> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    res
      .writeHead(status, { 'content-type': 'application/fhir+json' })
      .end(JSON.stringify({ resourceType: 'OperationOutcome' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
  status = 200;
});

const codeOf = async (call: Promise<unknown>) => {
  try {
    await call;
    return 'answered';
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions['code'] : 'other';
  }
};

describe('createUpstreamClient', () => {
  it('sends a fresh UUID X-Request-ID per call and the correlation id', async () => {
    const client = createUpstreamClient({ name: 'HEADERS', baseUrl, timeoutMs: 1000 }, logger);
    await client.request({ path: '/a', correlationId: 'corr-1' });
    await client.request({ path: '/b', correlationId: 'corr-1' });
    const ids = received.map((headers) => headers['x-request-id']);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toEqual(ids[1]);
    expect(received.map((headers) => headers['x-correlation-id'])).toEqual(['corr-1', 'corr-1']);
  });

  it('does not count 4xx answers (e.g. not found) against the breaker', async () => {
    const client = createUpstreamClient({ name: 'NOTFOUND', baseUrl, timeoutMs: 1000 }, logger);
    status = 404;
    for (let i = 0; i < 8; i += 1)
      expect((await client.request({ path: '/x', correlationId: 'c' })).status).toBe(404);
    expect(received).toHaveLength(8);
  });

  it('opens the breaker after 5 consecutive 5xx, then refuses without calling the upstream', async () => {
    const client = createUpstreamClient(
      {
        name: 'FLAKY',
        baseUrl,
        timeoutMs: 1000,
        retry: { maxAttempts: 1, budgetMs: 5000, maxRetryAfterSeconds: 1 },
      },
      logger,
    );
    status = 503;
    for (let i = 0; i < 5; i += 1)
      expect((await client.request({ path: '/x', correlationId: 'c' })).status).toBe(503);
    expect(await codeOf(client.request({ path: '/x', correlationId: 'c' }))).toBe('UPSTREAM_UNAVAILABLE');
    expect(received).toHaveLength(5);
    expect(upstreamStatuses().find((u) => u.service === 'FLAKY')?.breaker).toBe('open');
    expect((await metricsText()).body).toMatch(/nhs_graph_upstream_breaker_state\{service="FLAKY"\} 2/);
  });

  it('refuses with UPSTREAM_UNAVAILABLE when the upstream cannot be reached', async () => {
    const client = createUpstreamClient(
      { name: 'GONE', baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 },
      logger,
    );
    expect(await codeOf(client.request({ path: '/x', correlationId: 'c' }))).toBe('UPSTREAM_UNAVAILABLE');
  });
});
