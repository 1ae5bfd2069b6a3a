// HTTP face of the local identity issuers: per issuer, its discovery document and JWKS at the paths
// the real provider publishes, userinfo, and (partners) a real client-credentials token endpoint;
// plus the sandbox-only minting endpoint `POST /_sandbox/identity/tokens`, which is how developers
// and tests get citizen and staff tokens without driving a browser through an authorisation-code
// flow. Identity traffic is not upstream traffic: it never enters the request log nor gets latency.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, headerValue, readBody, sendJson } from '../http-util.js';
import type { SyntheticPerson } from '../synthetic.js';
import { CitizenDirectory } from './citizens.js';
import { claimsFor, MintError, MintRequestSchema, type ClaimContext, type IssuedClaims } from './claims.js';
import { createIssuers, IDENTITY_BASE_PATH, ISSUER_NAMES, type Issuer, type IssuerName } from './issuers.js';
import { clientCredentialsToken } from './token-endpoint.js';

export const MINT_PATH = '/_sandbox/identity/tokens';

/** Claims userinfo answers with: the identity, not the token's own bookkeeping (OIDC Core §5.3). */
const USERINFO_CLAIMS: Partial<Record<IssuerName, readonly string[]>> = {
  'nhs-login': ['sub', 'nhs_number', 'family_name', 'birthdate', 'identity_proofing_level'],
  // ISA's simulated CIS2 userinfo: nhsid_useruid, name, nhsid_nrbac_roles, sub (+ profile names).
  cis2: ['sub', 'nhsid_useruid', 'name', 'given_name', 'family_name', 'nhsid_nrbac_roles'],
};

export interface IdentityOptions {
  people: readonly SyntheticPerson[];
  /** The sandbox's own URL (known once it listens); issuer URLs hang off it. */
  sandboxUrl: () => string;
}

export interface Identity {
  /** Answers an identity request; false when the path is not one. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

const problem = (
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): void => sendJson(res, status, { error }, headers);

export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  const issuers = await createIssuers();
  const citizens = new CitizenDirectory(options.people);
  const issuerUrl = (name: IssuerName): string => `${options.sandboxUrl()}${issuers[name].basePath}`;
  const context = (): ClaimContext => ({ issuerUrl, citizens, now: Math.floor(Date.now() / 1000) });
  const sign = (issued: IssuedClaims): Promise<string> => issuers[issued.issuer].sign(issued.claims);

  async function mint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return problem(res, 413, error.message);
      return problem(res, 400, 'body must be JSON, e.g. {"profile": "citizen"}');
    }
    const parsed = MintRequestSchema.safeParse(json);
    if (!parsed.success) return problem(res, 400, `invalid token request: ${z.prettifyError(parsed.error)}`);
    let issued: IssuedClaims;
    try {
      issued = claimsFor(parsed.data, context());
    } catch (error) {
      if (error instanceof MintError) return problem(res, 400, `invalid token request: ${error.message}`);
      throw error;
    }
    sendJson(res, 200, {
      token: await sign(issued),
      issuer: issuerUrl(issued.issuer),
      claims: issued.claims,
    });
  }

  /** Bearer token in, identity claims out; errors as RFC 6750 §3 challenges (nhslogin EIS §3.6). */
  async function userinfo(req: IncomingMessage, res: ServerResponse, issuer: Issuer): Promise<void> {
    const authorization = headerValue(req.headers.authorization) ?? '';
    const token = /^Bearer (\S+)$/i.exec(authorization)?.[1];
    const challenge = (error: string): void =>
      problem(res, 401, error, { 'WWW-Authenticate': `Bearer error="${error}"` });
    if (token === undefined) return challenge('invalid_request');
    let payload: Record<string, unknown>;
    try {
      payload = await issuer.verify(token, issuerUrl(issuer.name));
    } catch {
      return challenge('invalid_token');
    }
    const names = USERINFO_CLAIMS[issuer.name] ?? [];
    sendJson(res, 200, Object.fromEntries(names.filter((n) => n in payload).map((n) => [n, payload[n]])));
  }

  async function serveIssuer(
    req: IncomingMessage,
    res: ServerResponse,
    issuer: Issuer,
    sub: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const only = async (allowed: readonly string[], answer: () => void | Promise<void>): Promise<void> => {
      if (allowed.includes(method)) return answer();
      res.setHeader('Allow', allowed.join(', '));
      return problem(res, 405, `${method} not allowed on ${issuer.basePath}${sub}`);
    };
    const url = issuerUrl(issuer.name);
    if (sub === '/.well-known/openid-configuration') {
      return only(['GET'], () => sendJson(res, 200, issuer.discovery(url)));
    }
    // CIS2's real JWKS path is connect/jwk_uri; every issuer also answers the NHS login-style path.
    if (sub === issuer.jwksPath || sub === '/.well-known/jwks.json') {
      return only(['GET'], () => sendJson(res, 200, issuer.jwks()));
    }
    if (issuer.name === 'partners' && sub === '/token') {
      return only(['POST'], async () => {
        let body: string;
        try {
          body = await readBody(req);
        } catch (error) {
          if (error instanceof BodyTooLargeError) return problem(res, 413, error.message);
          throw error;
        }
        const answer = await clientCredentialsToken(req.headers, body, context(), sign);
        sendJson(res, answer.status, answer.body, answer.headers);
      });
    }
    if (issuer.name !== 'partners' && sub === '/userinfo') {
      return only(['GET', 'POST'], () => userinfo(req, res, issuer));
    }
    // Advertised by discovery as the real provider does, but a browser flow is not simulated.
    if (issuer.name !== 'partners' && ['/authorize', '/token', '/access_token'].includes(sub)) {
      return sendJson(res, 400, {
        error: 'unsupported_response_type',
        error_description: `the sandbox does not run the authorisation-code flow; mint a token with POST ${MINT_PATH}`,
      });
    }
    return problem(res, 404, `no ${issuer.name} identity route for ${method} ${sub}`);
  }

  return {
    async handle(req, res, path) {
      if (path === MINT_PATH) {
        if (req.method === 'POST') await mint(req, res);
        else {
          res.setHeader('Allow', 'POST');
          problem(res, 405, `${req.method ?? 'GET'} not allowed on ${path}`);
        }
        return true;
      }
      if (!path.startsWith(`${IDENTITY_BASE_PATH}/`)) return false;
      const issuer = ISSUER_NAMES.map((name) => issuers[name]).find(
        (candidate) => path === candidate.basePath || path.startsWith(`${candidate.basePath}/`),
      );
      if (issuer === undefined) {
        problem(res, 404, `no identity issuer at ${path} (issuers: ${ISSUER_NAMES.join(', ')})`);
        return true;
      }
      await serveIssuer(req, res, issuer, path.slice(issuer.basePath.length) || '/');
      return true;
    },
  };
}
