// Every GraphQL request needs a bearer token from a configured issuer (NHS login, CIS2 or the
// partner issuer). The signature is checked against that issuer's JWKS with an algorithm
// allow-list (so `alg: none` and HS/RS confusion fail), with issuer, audience and expiry; the
// claims become a Principal. Anything wrong -> 401 UNAUTHENTICATED, and nothing is executed.
// A token verified once is remembered until it expires (at most 5 minutes; verified-tokens.ts),
// and its Principal is rebuilt from the remembered claims on every request.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config, IssuerConfig } from '../platform/config.js';
import { ErrorCode } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { Principal } from '../platform/principal.js';
import { principalFromClaims } from './claims.js';
import { correlationIdOf } from './correlation.js';
import { createVerifiedTokenCache } from './verified-tokens.js';

const principals = new WeakMap<Request, Principal>();

/** The authenticated caller of a request (set before any execution). */
export const principalOf = (request: Request): Principal | undefined => principals.get(request);

/** Tolerated clock difference with the issuers. */
const CLOCK_TOLERANCE_SECONDS = 30;

export type Authenticate = (
  authorization: string | null,
  correlationId?: string,
) => Promise<Principal | null>;

export function createAuthenticator(config: Config, logger: Logger): Authenticate {
  const verifiers = config.identity.issuers.map((issuer) => ({
    issuer,
    keys: createRemoteJWKSet(new URL(issuer.jwksUrl)),
  }));
  const verified = createVerifiedTokenCache(config.identity.tokenCacheEntries);
  const principalFor = (issuer: IssuerConfig, claims: JWTPayload) =>
    principalFromClaims(issuer, claims, config.identity.cis2MinAssuranceLevel);
  return async (authorization, correlationId) => {
    const token = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/.exec(authorization?.trim() ?? '')?.[1];
    if (!token) return null;
    const known = verified.get(token);
    const knownIssuer = known && verifiers.find(({ issuer }) => issuer.name === known.issuer);
    if (known && knownIssuer) return principalFor(knownIssuer.issuer, known.claims);
    const verifier = verifiers.find(({ issuer }) => issuer.issuer === unverifiedIssuer(token));
    if (!verifier) return null;
    try {
      const { payload } = await jwtVerify(token, verifier.keys as JWTVerifyGetKey, {
        issuer: verifier.issuer.issuer,
        audience: verifier.issuer.audience,
        algorithms: verifier.issuer.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      });
      verified.set(token, { issuer: verifier.issuer.name, claims: payload });
      return principalFor(verifier.issuer, payload);
    } catch (error) {
      logger.info({ correlationId, issuer: verifier.issuer.name, reason: reasonOf(error) }, 'token refused');
      return null;
    }
  };
}

function unverifiedIssuer(token: string): string | undefined {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

const reasonOf = (error: unknown) =>
  error instanceof Error ? ('code' in error && String(error.code)) || error.name : 'unknown';

export const unauthenticated = () =>
  new GraphQLError('A valid bearer token from NHS login, CIS2 or a registered partner is required.', {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    },
  });

export function useAuthentication(authenticate: Authenticate): GatewayPlugin {
  return {
    async onParams({ request, setResult }) {
      const principal = await authenticate(request.headers.get('authorization'), correlationIdOf(request));
      if (principal) principals.set(request, principal);
      else setResult({ errors: [unauthenticated()] });
    },
  };
}
