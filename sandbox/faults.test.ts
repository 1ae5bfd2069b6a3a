import { randomUUID } from 'node:crypto';
import { seededRandom, UpstreamFaults } from './faults.js';
import { startSandbox, type Sandbox } from './server.js';

const PDS = '/personal-demographics/FHIR/R4';
const headers = (): Record<string, string> => ({ 'X-Request-ID': randomUUID() });

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0, { syntheticPatients: 0 });
  });
  afterAll(() => sandbox.close());

  const put = (upstream: string, body: unknown) =>
    fetch(`${sandbox.url}/_sandbox/faults/${upstream}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const patient = () => fetch(`${sandbox.url}${PDS}/Patient/9000000009`, { headers: headers() });

  it('refuses rates outside 0..1, rates summing over 1, and unknown kinds', async () => {
    expect((await put('pds', { errorRate: 1.5 })).status).toBe(400);
    expect((await put('pds', { errorRate: 0.6, hangRate: 0.6 })).status).toBe(400);
    expect((await put('pds', { failNext: 1, failKind: 'explode' })).status).toBe(400);
    expect((await put('pds', { retryAfterSeconds: -1 })).status).toBe(400);
  });

  it('fails exactly the next n requests with PDS SERVICE_UNAVAILABLE and Retry-After, then answers', async () => {
    expect((await put('pds', { failNext: 2, retryAfterSeconds: 3 })).status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const res = await patient();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [
          {
            code: 'timeout',
            details: {
              coding: [
                {
                  system: 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode',
                  code: 'SERVICE_UNAVAILABLE',
                },
              ],
            },
          },
        ],
      });
    }
    expect((await patient()).status).toBe(200);
    const shown = (await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()) as {
      faults: Record<string, unknown>;
    };
    expect(shown.faults['pds']).toMatchObject({ failNext: 0, retryAfterSeconds: 3 });
  });

  it('answers 429 TOO_MANY_REQUESTS and malformed 200s; ODS faults are separate', async () => {
    await put('pds', { failNext: 1, failKind: 'rateLimit', retryAfterSeconds: 2 });
    const limited = await patient();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(JSON.stringify(await limited.json())).toContain('TOO_MANY_REQUESTS');
    await put('pds', { malformedRate: 1 });
    const malformed = await patient();
    expect(malformed.status).toBe(200);
    await expect(malformed.clone().json()).rejects.toThrow();
    await put('ods', { errorRate: 1 });
    expect((await patient()).status).toBe(200 /* still malformed */);
    await put('pds', {});
    await put('ods', {});
  });

  it('draws rates from a seeded PRNG: the same seed gives the same faults', () => {
    const run = () => {
      const faults = new UpstreamFaults({ errorRate: 0.3, status429Rate: 0.2, seed: 7 });
      return Array.from({ length: 50 }, () => faults.decide());
    };
    expect(run()).toEqual(run());
    expect(run().filter((k) => k === 'error').length).toBeGreaterThan(5);
    expect(seededRandom(1)()).toBe(seededRandom(1)());
  });

  it('holds a hung request until the sandbox closes, and closes promptly', async () => {
    const own = await startSandbox(0, { syntheticPatients: 0, faults: { pds: { hangRate: 1 } } });
    const call = fetch(`${own.url}${PDS}/Patient/9000000009`, { headers: headers() }).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A hung request would hold close() for 60 s, past the test's own timeout: that is the check.
    await own.close();
    expect(await call).toBe('dropped');
  });
});
