// Per-client windows and whose counter a request increments (the 429 over HTTP: test/edge.e2e;
// the Redis counter: test/edge-stores.test.ts).
import { citizen, clerk, partner } from '../test/principals.js';
import type { PartnerDirectory } from './partners.js';
import { clientLimitOf, memoryCounter, rateLimited } from './rate-limits.js';

const acmeLimit = { requests: 7, windowSeconds: 10 };
const partners = {
  partners: [],
  partner: (clientId: string) =>
    clientId === 'acme'
      ? ({ config: { rateLimit: acmeLimit } } as ReturnType<PartnerDirectory['partner']>)
      : undefined,
  isKnownDocument: () => false,
} satisfies PartnerDirectory;
const defaults = { requests: 600, windowSeconds: 60 };

describe('memoryCounter', () => {
  it('counts within a window and starts a new one when it ends', async () => {
    let now = 1_000;
    const counter = memoryCounter(() => now);
    expect(await counter.hit('a', 10_000)).toEqual({ count: 1, resetInMs: 10_000 });
    now += 4_000;
    expect(await counter.hit('a', 10_000)).toEqual({ count: 2, resetInMs: 6_000 });
    expect(await counter.hit('b', 10_000)).toEqual({ count: 1, resetInMs: 10_000 });
    now += 6_000;
    expect(await counter.hit('a', 10_000)).toEqual({ count: 1, resetInMs: 10_000 });
  });
});

describe('clientLimitOf', () => {
  it('limits a partner by client id, with the limit from its partner.json', () => {
    expect(clientLimitOf(partner(), partners, defaults)).toEqual({ key: 'partner:acme', limit: acmeLimit });
  });

  it('limits a citizen or member of staff by subject, with the default, never storing the subject', () => {
    const one = clientLimitOf(citizen('9000000009'), partners, defaults);
    const other = clientLimitOf(citizen('9000000017'), partners, defaults);
    expect(one.limit).toEqual(defaults);
    expect(one.key).toMatch(/^citizen:[0-9a-f]{32}$/);
    expect(one.key).not.toContain('9000000009');
    expect(other.key).not.toBe(one.key);
    expect(clientLimitOf(clerk(), partners, defaults).key).toMatch(/^staff:/);
  });
});

it('rateLimited answers 429 with Retry-After and RATE_LIMITED', () => {
  const error = rateLimited(12);
  expect(error.extensions).toMatchObject({
    code: 'RATE_LIMITED',
    retryAfter: 12,
    http: { status: 429, headers: { 'Retry-After': '12' } },
  });
});
