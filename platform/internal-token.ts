// Gateway -> subgraph trust. The gateway signs a short-lived token carrying the Principal, the
// correlation id and a hash of the exact request body; a subgraph executes nothing without a
// valid one, so a client that reaches a subgraph port directly, or replays a token with another
// query, gets nothing.
import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { PrincipalSchema, type Principal } from './principal.js';

const ISSUER = 'nhs-graph-gateway';
const AUDIENCE = 'nhs-graph-subgraphs';
const ALGORITHM = 'HS256';
/** Long enough for one subgraph call, short enough that a leaked token is soon useless. */
const LIFETIME_SECONDS = 60;

export interface InternalClaims {
  principal: Principal;
  correlationId: string;
}

export const bodyHash = (body: string): string => createHash('sha256').update(body).digest('base64url');

export async function signInternalToken(
  claims: InternalClaims,
  body: string,
  secret: Uint8Array,
): Promise<string> {
  return new SignJWT({ principal: claims.principal, cid: claims.correlationId, bh: bodyHash(body) })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(secret);
}

/** The claims of a valid token for exactly this body, or null (never throws). */
export async function verifyInternalToken(
  token: string,
  body: string,
  secret: Uint8Array,
): Promise<InternalClaims | null> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [ALGORITHM],
      maxTokenAge: LIFETIME_SECONDS + 5,
    });
    if (payload['bh'] !== bodyHash(body) || typeof payload['cid'] !== 'string') return null;
    const principal = PrincipalSchema.safeParse(payload['principal']);
    return principal.success ? { principal: principal.data, correlationId: payload['cid'] } : null;
  } catch {
    return null;
  }
}
