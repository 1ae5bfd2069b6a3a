// Every GraphQL request needs a bearer token from a configured issuer (NHS login, CIS2 or the
// partner issuer). The signature is checked against that issuer's JWKS with an algorithm
// allow-list (so `alg: none` and HS/RS confusion fail), with issuer, audience and expiry; the
// claims become a Principal. Anything wrong -> 401 UNAUTHENTICATED saying why (token-refusals.ts),
// and nothing is executed. A token whose claims became a Principal is remembered until it expires
// (at most 5 minutes; verified-tokens.ts), and its Principal is rebuilt from the remembered claims
// on every request. The node listener checks the token before a request takes an admission slot
// (server.ts); it and the plugin below share one authenticator, so one signature check per token.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { GatewayConfig, IssuerConfig } from './config.js';
import type { Logger } from '../platform/logger.js';
import type { Principal } from '../platform/principal.js';
import { ClaimsError, principalFromClaims } from './claims.js';
import { correlationIdOf } from './correlation.js';
import { TokenRefusal, unauthenticated } from './token-refusals.js';
import { createVerifiedTokenCache } from './verified-tokens.js';

export { unauthenticated } from './token-refusals.js';

const principals = new WeakMap<Request, Principal>();

/** The authenticated caller of a request (set before any execution). */
export const principalOf = (request: Request): Principal | undefined => principals.get(request);

/** Tolerated clock difference with the issuers. */
const CLOCK_TOLERANCE_SECONDS = 30;

export type Authentication = { principal: Principal } | { refused: TokenRefusal };

export type Authenticate = (authorization: string | null, correlationId?: string) => Promise<Authentication>;

const refused = (reason: TokenRefusal): Authentication => ({ refused: reason });

// One per identity configuration, so the listener's early check and the plugin share one cache.
const authenticators = new WeakMap<GatewayConfig['identity'], Authenticate>();

export function createAuthenticator(config: GatewayConfig, logger: Logger): Authenticate {
  const existing = authenticators.get(config.identity);
  if (existing) return existing;
  const verifiers = config.identity.issuers.map((issuer) => ({
    issuer,
    keys: createRemoteJWKSet(new URL(issuer.jwksUrl)),
  }));
  const verified = createVerifiedTokenCache(config.identity.tokenCacheEntries);
  const minAssurance = config.identity.cis2MinAssuranceLevel;
  // Claims that do not make a Principal are a refusal, on the first sight of a token and on every
  // later one, never an internal error.
  const principalFor = (issuer: IssuerConfig, claims: JWTPayload): Authentication => {
    try {
      return { principal: principalFromClaims(issuer, claims, minAssurance) };
    } catch (error) {
      if (!(error instanceof ClaimsError)) throw error;
      const lowAssurance =
        issuer.kind === 'staff' && Number(claims['authentication_assurance_level']) < minAssurance;
      return refused(lowAssurance ? TokenRefusal.INSUFFICIENT_ASSURANCE : TokenRefusal.TOKEN_CLAIMS_REFUSED);
    }
  };
  const authenticate: Authenticate = async (authorization, correlationId) => {
    const header = authorization?.trim() ?? '';
    if (header === '') return refused(TokenRefusal.TOKEN_MISSING);
    const token = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/.exec(header)?.[1];
    if (!token) return refused(TokenRefusal.TOKEN_MALFORMED);
    const known = verified.get(token);
    const knownIssuer = known && verifiers.find(({ issuer }) => issuer.name === known.issuer);
    if (known && knownIssuer) return principalFor(knownIssuer.issuer, known.claims);
    const iss = unverifiedIssuer(token);
    if (iss === null) return refused(TokenRefusal.TOKEN_MALFORMED);
    const verifier = verifiers.find(({ issuer }) => issuer.issuer === iss);
    if (!verifier) return refused(TokenRefusal.TOKEN_UNTRUSTED_ISSUER);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verifier.keys as JWTVerifyGetKey, {
        issuer: verifier.issuer.issuer,
        audience: verifier.issuer.audience,
        algorithms: verifier.issuer.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const reason = refusalOf(error);
      logger.info(
        { correlationId, issuer: verifier.issuer.name, reason, cause: causeOf(error) },
        'token refused',
      );
      return refused(reason);
    }
    const result = principalFor(verifier.issuer, payload);
    // Kept only once its claims are accepted (issue 15 item 6).
    if ('principal' in result) verified.set(token, { issuer: verifier.issuer.name, claims: payload });
    else
      logger.info({ correlationId, issuer: verifier.issuer.name, reason: result.refused }, 'token refused');
    return result;
  };
  authenticators.set(config.identity, authenticate);
  return authenticate;
}

/** The token's `iss`, unverified (to pick the issuer's keys); undefined if it has none, null if not a JWT. */
function unverifiedIssuer(token: string): string | undefined | null {
  try {
    return decodeJwt(token).iss;
  } catch {
    return null;
  }
}

function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof errors.JWTExpired) return TokenRefusal.TOKEN_EXPIRED;
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return TokenRefusal.TOKEN_WRONG_AUDIENCE;
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid)
    return TokenRefusal.TOKEN_MALFORMED;
  return TokenRefusal.TOKEN_INVALID;
}

const causeOf = (error: unknown) =>
  error instanceof Error ? ('code' in error && String(error.code)) || error.name : 'unknown';

export function useAuthentication(authenticate: Authenticate): GatewayPlugin {
  return {
    async onParams({ request }) {
      const result = await authenticate(request.headers.get('authorization'), correlationIdOf(request));
      // Thrown, not set as the result, so no later onParams hook answers with a refusal of its own.
      if ('refused' in result) throw unauthenticated(result.refused);
      principals.set(request, result.principal);
    },
  };
}
