// upstreamPath and the client's last-line checks: no value can change an upstream request's path,
// add a query or fragment, or add a header line, and a refused request never reaches the network.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { createUpstreamClient, upstreamPath } from './http.js';
import { createLogger } from './logger.js';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
    return 'built';
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions['code'] : 'other';
  }
};

describe('upstreamPath', () => {
  it('keeps every value inside its own segment: the path, its segments and the query are unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ maxLength: 10 }),
        (value, other) => {
          fc.pre(!['', '.', '..'].includes(value) && !['', '.', '..'].includes(other));
          const path = upstreamPath`/Patient/${value}/Appointment/${other}`;
          const url = new URL(`https://upstream.example/fhir${path}`);
          expect(url.search).toBe('');
          expect(url.hash).toBe('');
          const segments = url.pathname.split('/');
          expect(segments).toHaveLength(6);
          expect(segments.slice(0, 3)).toEqual(['', 'fhir', 'Patient']);
          expect(segments[4]).toBe('Appointment');
          expect(decodeURIComponent(segments[3]!)).toBe(value);
          expect(decodeURIComponent(segments[5]!)).toBe(other);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each(['', '.', '..'])('refuses %j as a segment with BAD_USER_INPUT', (value) => {
    expect(codeOf(() => upstreamPath`/Appointment/${value}`)).toBe('BAD_USER_INPUT');
  });

  it('encodes the characters that would end a segment or start a query', () => {
    expect(upstreamPath`/Patient/${'../Patient/9000000017'}`).toBe('/Patient/..%2FPatient%2F9000000017');
    expect(upstreamPath`/Patient/${'9000000009?_summary=count#x'}`).toBe(
      '/Patient/9000000009%3F_summary%3Dcount%23x',
    );
    expect(upstreamPath`/Patient/${'%2e%2e'}`).toBe('/Patient/%252e%252e');
  });
});

describe('the upstream client refuses, before any call, a request that could be read as another', () => {
  let server: Server;
  let baseUrl: string;
  let calls = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    calls = 0;
  });

  const client = () =>
    createUpstreamClient({ name: 'GUARD', baseUrl, timeoutMs: 1000 }, createLogger('test', 'silent'));
  const refused = async (request: Parameters<ReturnType<typeof client>['request']>[0]) => {
    const code = await client()
      .request(request)
      .then(
        () => 'answered',
        (error: unknown) => (error instanceof GraphQLError ? error.extensions['code'] : 'other'),
      );
    return { code, calls };
  };

  it.each([
    ['a dot segment', '/fhir/Patient/..'],
    ['an encoded dot segment', '/fhir/%2e%2E/x'],
    ['a query', '/Patient/9000000009?_summary=count'],
    ['a fragment', '/Patient/1#x'],
    ['a relative path', 'Patient/1'],
    ['a CR/LF', '/Patient/1\r\nX-Injected: 1'],
  ])('a path with %s', async (_what, path) => {
    expect(await refused({ path, correlationId: 'c' })).toEqual({ code: 'BAD_USER_INPUT', calls: 0 });
  });

  it.each(['A81001\r\nX-Injected: 1', 'A81001\n', 'A\u0000'])('a header value %j', async (value) => {
    expect(
      await refused({
        path: '/ok',
        headers: { 'NHSD-End-User-Organisation-ODS': value },
        correlationId: 'c',
      }),
    ).toEqual({ code: 'BAD_USER_INPUT', calls: 0 });
  });

  it('sends a path built by upstreamPath', async () => {
    expect(await refused({ path: upstreamPath`/Patient/${'9000000009'}`, correlationId: 'c' })).toEqual({
      code: 'answered',
      calls: 1,
    });
  });
});
