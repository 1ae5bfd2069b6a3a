import { MAX_AGE_MS, createVerifiedTokenCache } from './verified-tokens.js';

const NOW = 1_800_000_000_000;
const claims = (expInSeconds: number) => ({ sub: 'someone', exp: Math.floor(NOW / 1000) + expInSeconds });

describe('verified token cache', () => {
  it('answers for a token verified before, with its issuer and claims', () => {
    const cache = createVerifiedTokenCache(10, () => NOW);
    cache.set('token-a', { issuer: 'cis2', claims: claims(3600) });
    expect(cache.get('token-a')).toEqual({ issuer: 'cis2', claims: claims(3600) });
    expect(cache.get('token-b')).toBeUndefined();
  });

  it('forgets a token at its expiry, and after MAX_AGE_MS even if it expires later', () => {
    let now = NOW;
    const cache = createVerifiedTokenCache(10, () => now);
    cache.set('short', { issuer: 'nhs-login', claims: claims(60) });
    cache.set('long', { issuer: 'nhs-login', claims: claims(3600) });
    now = NOW + 60_000;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBeDefined();
    now = NOW + MAX_AGE_MS;
    expect(cache.get('long')).toBeUndefined();
  });

  it('keeps nothing for a token already expired or without an expiry', () => {
    const cache = createVerifiedTokenCache(10, () => NOW);
    cache.set('expired', { issuer: 'cis2', claims: claims(-1) });
    cache.set('no-exp', { issuer: 'cis2', claims: { sub: 'someone' } });
    expect(cache.get('expired')).toBeUndefined();
    expect(cache.get('no-exp')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest first, and nothing at 0', () => {
    const cache = createVerifiedTokenCache(2, () => NOW);
    for (const token of ['one', 'two', 'three']) cache.set(token, { issuer: 'cis2', claims: claims(3600) });
    expect(['one', 'two', 'three'].map((token) => cache.get(token) !== undefined)).toEqual([
      false,
      true,
      true,
    ]);

    const off = createVerifiedTokenCache(0, () => NOW);
    off.set('one', { issuer: 'cis2', claims: claims(3600) });
    expect(off.get('one')).toBeUndefined();
  });
});
