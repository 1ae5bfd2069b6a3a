// Gateway -> subgraph trust. The gateway signs a short-lived token carrying the Principal, the
// correlation id and what it is for: one subgraph (the audience), the method and path, and a hash
// of the exact request body. A subgraph executes nothing without a valid token for the request it
// received, and each token only once (its `jti`, platform/replay-guard.ts): so a client that reaches
// a subgraph port directly, or replays a token it saw — with another query, on another path or
// subgraph, or the same request again — gets nothing, and nothing is audited in the caller's name.
import { createHash, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { PrincipalSchema, type Principal } from './principal.js';

const ISSUER = 'nhs-graph-gateway';
const ALGORITHM = 'HS256';
/** Long enough for one subgraph call, short enough that a leaked token is soon useless. */
const LIFETIME_SECONDS = 60;

export interface InternalClaims {
  principal: Principal;
  correlationId: string;
  /**
   * The client's operation name, for the audit trail: the query planner's subgraph operations do
   * not carry it (the Rust executor sends them unnamed). Null when the client named none.
   */
  operationName?: string | null;
}

/** A GraphQL name (the spec's Name), at most 200 characters: anything else is not carried. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,199}$/;
const operationNameClaim = (value: unknown): string | null =>
  typeof value === 'string' && OPERATION_NAME.test(value) ? value : null;

/** The one request a token is for; the subgraph checks each part against the request it received. */
export interface SignedRequest {
  /** The subgraph's name (its registry name), e.g. `demographics`. */
  subgraph: string;
  method: string;
  /** The URL path, e.g. `/graphql`; subgraphs refuse any query string. */
  path: string;
  body: string;
}

export interface VerifiedInternalToken extends InternalClaims {
  /** The token's `jti`: refuse a second request that carries it. */
  tokenId: string;
  /** When the token expires (ms since the epoch): how long its `jti` must be remembered. */
  expiresAt: number;
}

export const bodyHash = (body: string): string => createHash('sha256').update(body).digest('base64url');

/** One audience per subgraph, so a token minted for demographics is refused by careRecord. */
export const audienceFor = (subgraph: string): string => `nhs-graph-subgraph:${subgraph}`;

export async function signInternalToken(
  claims: InternalClaims,
  request: SignedRequest,
  secret: Uint8Array,
): Promise<string> {
  return new SignJWT({
    principal: claims.principal,
    cid: claims.correlationId,
    op: operationNameClaim(claims.operationName),
    htm: request.method.toUpperCase(),
    htp: request.path,
    bh: bodyHash(request.body),
  })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuer(ISSUER)
    .setAudience(audienceFor(request.subgraph))
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(secret);
}

/** The claims of a valid token for exactly this request, or null (never throws). Not replay-checked. */
export async function verifyInternalToken(
  token: string,
  request: SignedRequest,
  secret: Uint8Array,
): Promise<VerifiedInternalToken | null> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: audienceFor(request.subgraph),
      algorithms: [ALGORITHM],
      requiredClaims: ['jti', 'exp', 'iat'],
      maxTokenAge: LIFETIME_SECONDS + 5,
    });
    const bound =
      payload['htm'] === request.method.toUpperCase() &&
      payload['htp'] === request.path &&
      payload['bh'] === bodyHash(request.body);
    const { jti, exp } = payload;
    if (!bound || typeof payload['cid'] !== 'string' || !jti || exp === undefined) return null;
    const principal = PrincipalSchema.safeParse(payload['principal']);
    return principal.success
      ? {
          principal: principal.data,
          correlationId: payload['cid'],
          operationName: operationNameClaim(payload['op']),
          tokenId: jti,
          expiresAt: exp * 1000,
        }
      : null;
  } catch {
    return null;
  }
}
