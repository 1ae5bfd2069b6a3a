// Why a bearer token was refused, said the way RFC 6750 §3 asks, so a client knows whether to
// refresh its token, sign in again or stop: no token at all gets a bare challenge (§3.1: no error
// attribute); a token that is malformed, expired, badly signed, for another audience or from an
// untrusted issuer gets `error="invalid_token"` with a description saying which (never a key id,
// URL or library message); a CIS2 session below the required assurance level gets RFC 9470's
// step-up error `insufficient_user_authentication`, still 401 like every other refusal here.
// The same reason travels in the GraphQL error as `extensions.reason`.
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../platform/errors.js';

export const REALM = 'nhs-graph';

export const TokenRefusal = {
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_WRONG_AUDIENCE: 'TOKEN_WRONG_AUDIENCE',
  TOKEN_UNTRUSTED_ISSUER: 'TOKEN_UNTRUSTED_ISSUER',
  TOKEN_CLAIMS_REFUSED: 'TOKEN_CLAIMS_REFUSED',
  INSUFFICIENT_ASSURANCE: 'INSUFFICIENT_ASSURANCE',
} as const;
export type TokenRefusal = (typeof TokenRefusal)[keyof typeof TokenRefusal];

const DESCRIPTIONS: Record<TokenRefusal, [error: string | null, description: string]> = {
  TOKEN_MISSING: [null, 'A bearer token is required.'],
  TOKEN_MALFORMED: ['invalid_token', 'The bearer token is not a well-formed JWT.'],
  TOKEN_EXPIRED: ['invalid_token', 'The bearer token has expired.'],
  TOKEN_INVALID: ['invalid_token', 'The bearer token signature or claims are invalid.'],
  TOKEN_WRONG_AUDIENCE: ['invalid_token', 'The bearer token was issued for another audience.'],
  TOKEN_UNTRUSTED_ISSUER: ['invalid_token', 'The bearer token is not from a trusted issuer.'],
  TOKEN_CLAIMS_REFUSED: ['invalid_token', 'The bearer token lacks claims nhs-graph requires.'],
  INSUFFICIENT_ASSURANCE: [
    'insufficient_user_authentication',
    'The CIS2 session is below the required authentication assurance level.',
  ],
};

/** Pure: the WWW-Authenticate challenge for a refusal (descriptions hold no `"` or `\`). */
export function bearerChallenge(reason: TokenRefusal): string {
  const [error, description] = DESCRIPTIONS[reason];
  if (error === null) return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="${error}", error_description="${description}"`;
}

export const unauthenticated = (reason: TokenRefusal = TokenRefusal.TOKEN_MISSING) =>
  new GraphQLError('A valid bearer token from NHS login, CIS2 or a registered partner is required.', {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      reason,
      http: { status: 401, headers: { 'WWW-Authenticate': bearerChallenge(reason) } },
    },
  });
