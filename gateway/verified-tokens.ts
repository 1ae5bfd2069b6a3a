// Tokens already verified, so a client that sends the same bearer token with every request (as
// real clients do, for its lifetime) costs one signature check, not one per request. Only a
// successful verification is kept: keyed by a SHA-256 of the token (no token is held), until the
// token's own expiry or at most MAX_AGE_MS (bounding how long a token signed by a key the issuer
// has since withdrawn is still accepted), and at most `maxEntries` of them (oldest out first).
// The caller rebuilds the Principal from the kept claims on every hit.
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

export const MAX_AGE_MS = 5 * 60_000;

export interface VerifiedToken {
  /** The configured issuer's name (`nhs-login`, `cis2`, `partners`). */
  issuer: string;
  claims: JWTPayload;
}

interface Entry extends VerifiedToken {
  keptUntil: number;
}

export interface VerifiedTokenCache {
  get(token: string): VerifiedToken | undefined;
  set(token: string, verified: VerifiedToken): void;
}

export function createVerifiedTokenCache(
  maxEntries: number,
  now: () => number = Date.now,
): VerifiedTokenCache {
  const entries = new Map<string, Entry>();
  const keyOf = (token: string) => createHash('sha256').update(token).digest('base64');
  return {
    get(token) {
      if (maxEntries === 0) return undefined;
      const key = keyOf(token);
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (now() >= entry.keptUntil) {
        entries.delete(key);
        return undefined;
      }
      return { issuer: entry.issuer, claims: entry.claims };
    },
    set(token, verified) {
      if (maxEntries === 0) return;
      const expiresAt = typeof verified.claims.exp === 'number' ? verified.claims.exp * 1000 : 0;
      const keptUntil = Math.min(expiresAt, now() + MAX_AGE_MS);
      if (keptUntil <= now()) return;
      const key = keyOf(token);
      entries.delete(key);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(key, { ...verified, keptUntil });
    },
  };
}
