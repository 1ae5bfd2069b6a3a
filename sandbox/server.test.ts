import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MAX_LOG_ENTRIES, RequestLog } from './request-log.js';
import { startSandbox, type Sandbox } from './server.js';

const PDS = '/personal-demographics/FHIR/R4';
const headers = (): Record<string, string> => ({ 'X-Request-ID': randomUUID() });

describe('sandbox server', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0, { syntheticPatients: 10 });
  });
  afterAll(() => sandbox.close());

  const control = (path: string, init?: RequestInit): Promise<Response> =>
    fetch(`${sandbox.url}${path}`, init);
  const setLatency = (body: string): Promise<Response> =>
    control('/_sandbox/faults/pds', { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });

  it('listens on 127.0.0.1 and answers health', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await control('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown paths with a FHIR OperationOutcome 404', async () => {
    for (const path of ['/nope', `${PDS}/Coverage`, `${PDS}/Patient/9000000009/Unknown`]) {
      const res = await control(path, { headers: headers() });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/fhir+json');
      expect(await res.json()).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'not-found' }],
      });
    }
  });

  it('counts upstream requests by templated route, logs them, and resets', async () => {
    await control('/_sandbox/reset', { method: 'POST' });
    for (const id of ['9000000009', '9000000017', '9000000009']) {
      await control(`${PDS}/Patient/${id}`, { headers: { ...headers(), 'X-Correlation-ID': `corr-${id}` } });
    }
    const requestId = randomUUID();
    await control(`${PDS}/Patient?family=Smith&birthdate=eq2010-10-22`, {
      headers: { 'X-Request-ID': requestId },
    });
    await control('/health'); // control endpoints are not upstream traffic

    const snapshot = (await (await control('/_sandbox/requests')).json()) as {
      counts: Record<string, number>;
      log: Record<string, unknown>[];
    };
    expect(snapshot.counts).toEqual({ 'pds GET /Patient/{id}': 3, 'pds GET /Patient': 1 });
    expect(snapshot.log).toHaveLength(4);
    expect(snapshot.log[0]).toMatchObject({
      upstream: 'pds',
      method: 'GET',
      route: '/Patient/{id}',
      path: `${PDS}/Patient/9000000009`,
      correlationId: 'corr-9000000009',
    });
    expect(snapshot.log[3]).toMatchObject({
      route: '/Patient',
      path: `${PDS}/Patient?family=Smith&birthdate=eq2010-10-22`,
      requestId,
      correlationId: null,
    });
    expect(Date.parse(String(snapshot.log[3]?.['at']))).not.toBeNaN();

    const reset = await control('/_sandbox/reset', { method: 'POST' });
    expect(await reset.json()).toEqual({ counts: {}, log: [], maxInFlight: {} });
    expect(await (await control('/_sandbox/requests')).json()).toEqual({
      counts: {},
      log: [],
      maxInFlight: {},
    });
  });

  it('keeps only the most recent log entries', () => {
    const log = new RequestLog();
    const entry = {
      upstream: 'pds' as const,
      method: 'GET',
      route: '/Patient',
      requestId: null,
      correlationId: null,
    };
    for (let i = 0; i < MAX_LOG_ENTRIES + 5; i += 1) log.record({ ...entry, path: `/${i}`, at: '' });
    const { counts, log: entries } = log.snapshot();
    expect(counts).toEqual({ 'pds GET /Patient': MAX_LOG_ENTRIES + 5 });
    expect(entries).toHaveLength(MAX_LOG_ENTRIES);
    expect(entries[0]?.path).toBe('/5');
  });

  it('sets and shows faults, refusing bad bodies without crashing', async () => {
    expect(await (await control('/_sandbox/faults')).json()).toEqual({
      faults: {
        pds: { latencyMs: 0 },
        ods: { latencyMs: 0 },
        ers: { latencyMs: 0 },
        gpconnect: { latencyMs: 0 },
        dmd: { latencyMs: 0 },
      },
    });
    expect((await setLatency('{not json')).status).toBe(400);
    expect((await setLatency('{"latencyMs": -1}')).status).toBe(400);
    expect((await setLatency('{"latency": 10}')).status).toBe(400);
    expect((await setLatency('[]')).status).toBe(400);
    const unknown = await control('/_sandbox/faults/nope', { method: 'PUT', body: '{"latencyMs": 1}' });
    expect(unknown.status).toBe(404);
    expect((await control('/_sandbox/faults/pds')).status).toBe(405);
    const ok = await setLatency('{"latencyMs": 5}');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      faults: {
        pds: { latencyMs: 5 },
        ods: { latencyMs: 0 },
        ers: { latencyMs: 0 },
        gpconnect: { latencyMs: 0 },
        dmd: { latencyMs: 0 },
      },
    });
    expect(await (await control('/_sandbox/faults')).json()).toEqual({
      faults: {
        pds: { latencyMs: 5 },
        ods: { latencyMs: 0 },
        ers: { latencyMs: 0 },
        gpconnect: { latencyMs: 0 },
        dmd: { latencyMs: 0 },
      },
    });
    await setLatency('{"latencyMs": 0}');
    expect((await control('/health')).status).toBe(200);
  });

  it('adds the configured latency before answering an upstream request', async () => {
    await setLatency('{"latencyMs": 200}');
    try {
      const started = performance.now();
      const res = await control(`${PDS}/Patient/9000000009`, { headers: headers() });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(200); // lower bound only
    } finally {
      await setLatency('{"latencyMs": 0}');
    }
  });

  it('survives malformed requests', async () => {
    const paths = [
      `${PDS}/Patient/%E0%A4%A`,
      `${PDS}/Patient?given=%ZZ&family=%`,
      `${PDS}/Patient/${'9'.repeat(5000)}`,
    ];
    for (const path of paths) expect((await control(path, { headers: headers() })).status).toBe(400);
    expect((await control('/health')).status).toBe(200);
  });
});

describe('sandbox options and shutdown', () => {
  it('applies latency configured at start', async () => {
    const sandbox = await startSandbox(0, { syntheticPatients: 0, faults: { pds: { latencyMs: 150 } } });
    try {
      const started = performance.now();
      const res = await fetch(`${sandbox.url}${PDS}/Patient/9000000033`, { headers: headers() });
      await res.arrayBuffer();
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await sandbox.close();
    }
  });

  it('closes promptly even while a request waits out injected latency', async () => {
    const sandbox = await startSandbox(0, { syntheticPatients: 0, faults: { pds: { latencyMs: 60_000 } } });
    const pending = fetch(`${sandbox.url}${PDS}/Patient/9000000009`, { headers: headers() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.close();
    await expect(pending).rejects.toThrow();
  });

  it('rejects invalid options', async () => {
    await expect(startSandbox(-1)).rejects.toThrow(RangeError);
    await expect(startSandbox(0, { faults: { pds: { latencyMs: -5 } } })).rejects.toThrow();
  });
});
