// What each profile's token says, shaped as the real service's tokens: NHS login ID-token claims
// (nhslogin interface-spec-doc-3, scopes-and-claims.md), CIS2 ID-token + userinfo claims (ISA
// simulated userinfo, MAVIS nhsuk_cis2_spec.rb), and RFC 9068-style client-credentials claims.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UpstreamKey } from '../../platform/upstream-keys.js';
import type { CitizenDirectory } from './citizens.js';
import type { IssuerName } from './issuers.js';
import {
  ACTIVITIES,
  CITIZEN_DEFAULTS,
  DEFAULT_AUDIENCE,
  DEFAULT_EXPIRES_IN_SECONDS,
  DEFAULT_PARTNER_CLIENT,
  DEFAULT_STAFF_ORG,
  PARTNER_CLIENTS,
  PROFILE_NAMES,
  PROOFING_LEVELS,
  STAFF_PROFILES,
  type ProofingLevel,
  type StaffProfile,
  type StaffProfileName,
} from './profiles.js';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const OPTION_OWNERS = {
  nhsNumber: ['citizen'],
  level: ['citizen'],
  clientId: ['partner'],
  scopes: ['partner'],
  orgCode: ['clinician', 'clerk', 'ig-officer'],
} as const;

/** Body of `POST /_sandbox/identity/tokens`. Strict, so a typo is a 400, not an ignored option. */
export const MintRequestSchema = z
  .strictObject({
    profile: z.enum(PROFILE_NAMES),
    // 10 digits, not Modulus 11: the PDS sandbox serves 9000000015, which fails the check.
    nhsNumber: z
      .string()
      .regex(/^\d{10}$/, 'must be 10 digits')
      .optional(),
    level: z.enum(PROOFING_LEVELS).optional(),
    clientId: z.string().min(1).optional(),
    scopes: z.array(z.string().regex(SCOPE_TOKEN, 'must be an OAuth scope token')).min(1).optional(),
    audience: z.string().min(1).max(256).optional(),
    /** Negative mints an already-expired token, for testing that it is refused. */
    expiresInSeconds: z.number().int().min(-86_400).max(86_400).optional(),
    /** ODS codes: RBA, X26, Y12345, A81001 … — the gateway's own rule, so every token minted is one it accepts. */
    orgCode: z.string().regex(UpstreamKey.odsCode.pattern, `must be ${UpstreamKey.odsCode.rule}`).optional(),
  })
  .superRefine((body, ctx) => {
    for (const [option, owners] of Object.entries(OPTION_OWNERS)) {
      const owned: readonly string[] = owners;
      if (body[option as keyof typeof OPTION_OWNERS] !== undefined && !owned.includes(body.profile)) {
        ctx.addIssue({
          code: 'custom',
          path: [option],
          message: `'${option}' applies to ${owned.join(', ')} only, not '${body.profile}'`,
        });
      }
    }
    // scopes-and-claims.md: the `profile` claims (nhs_number …) are not available at P0.
    if (body.level === 'P0' && body.nhsNumber !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['nhsNumber'], message: 'NHS login gives no NHS number at P0' });
    }
  });
export type MintRequest = z.infer<typeof MintRequestSchema>;

export interface IssuedClaims {
  issuer: IssuerName;
  claims: Record<string, unknown>;
}

export class MintError extends Error {}

export interface ClaimContext {
  issuerUrl(name: IssuerName): string;
  citizens: CitizenDirectory;
  /** Seconds since the epoch. */
  now: number;
}

/** A UUID-shaped subject that is stable for the same person across sandbox restarts. */
export function stableSubject(namespace: string, name: string): string {
  const hex = createHash('sha256').update(`${namespace}\n${name}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

type Lifetime = Pick<MintRequest, 'audience' | 'expiresInSeconds'>;

function registered(
  issuer: string,
  subject: string,
  request: Lifetime,
  now: number,
): Record<string, unknown> {
  return {
    iss: issuer,
    sub: subject,
    aud: request.audience ?? DEFAULT_AUDIENCE,
    iat: now,
    exp: now + (request.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS),
    jti: randomUUID(),
  };
}

function citizenClaims(request: MintRequest, ctx: ClaimContext): IssuedClaims {
  const issuer = ctx.issuerUrl('nhs-login');
  const level: ProofingLevel = request.level ?? CITIZEN_DEFAULTS.level;
  const nhsNumber = level === 'P0' ? undefined : (request.nhsNumber ?? CITIZEN_DEFAULTS.nhsNumber);
  // A P0 account has no traced NHS number; its stable subject hangs off a sandbox placeholder.
  const claims = registered(issuer, stableSubject(issuer, nhsNumber ?? 'p0-account'), request, ctx.now);
  // The sandbox always answers as if authenticated by password + registered device (Cp.Cd).
  claims['auth_time'] = ctx.now;
  claims['vot'] = `${level}.Cp.Cd`;
  // Shaped like https://auth.login.nhs.uk/trustmark/login.nhs.uk (nhslogin vectors-of-trust.md).
  claims['vtm'] = `${issuer}/trustmark/${new URL(issuer).host}`;
  if (nhsNumber !== undefined) {
    const citizen = ctx.citizens.get(nhsNumber);
    claims['nhs_number'] = nhsNumber;
    claims['identity_proofing_level'] = level;
    if (citizen !== undefined) {
      claims['family_name'] = citizen.familyName;
      claims['birthdate'] = citizen.birthDate;
    }
  }
  return { issuer: 'nhs-login', claims };
}

function staffClaims(name: StaffProfileName, request: MintRequest, ctx: ClaimContext): IssuedClaims {
  const profile: StaffProfile = STAFF_PROFILES[name];
  const [selected] = profile.roles;
  const claims = registered(ctx.issuerUrl('cis2'), profile.uid, request, ctx.now);
  Object.assign(claims, {
    auth_time: ctx.now,
    acr: 'AAL3_ANY', // smartcard authentication (APIS.md §7)
    amr: ['N3_SMARTCARD'],
    // Numbers here; ForgeRock's own ID tokens carry the strings "3" (MAVIS spec), so a consumer
    // should accept both.
    id_assurance_level: 3,
    authentication_assurance_level: 3,
    name: `${profile.familyName} ${profile.givenName} ${profile.title}`, // "TestUserOne Caius Mr" order
    given_name: profile.givenName,
    family_name: profile.familyName,
    nhsid_useruid: profile.uid,
    // Real CIS2 serves the roles from /userinfo (scope nationalrbacaccess); the sandbox also puts
    // them in the access token because nhs-graph authorises from the token alone.
    nhsid_nrbac_roles: profile.roles.map((role) => ({
      person_orgid: profile.personOrgId,
      person_roleid: role.personRoleId,
      org_code:
        role === selected ? (request.orgCode ?? DEFAULT_STAFF_ORG) : (role.orgCode ?? DEFAULT_STAFF_ORG),
      role_name: role.roleName,
      role_code: role.roleCode,
      activities: role.activities.map((code) => ACTIVITIES[code]),
      activity_codes: [...role.activities],
    })),
    selected_roleid: selected.personRoleId,
  });
  return { issuer: 'cis2', claims };
}

/** Scopes default to everything the client is allowed; asking for more is an `invalid_scope`. */
export function partnerClaims(
  clientId: string,
  scopes: readonly string[] | undefined,
  request: Lifetime,
  ctx: ClaimContext,
): IssuedClaims {
  const client = PARTNER_CLIENTS[clientId];
  if (client === undefined) {
    throw new MintError(
      `unknown partner client '${clientId}' (known: ${Object.keys(PARTNER_CLIENTS).join(', ')})`,
    );
  }
  const refused = (scopes ?? []).filter((scope) => !client.scopes.includes(scope));
  if (refused.length > 0) {
    throw new MintError(`client '${clientId}' may not have scope(s) ${refused.join(', ')}`);
  }
  const granted = scopes ?? client.scopes;
  const claims = registered(ctx.issuerUrl('partners'), clientId, request, ctx.now);
  claims['client_id'] = clientId;
  claims['scope'] = [...new Set(granted)].join(' ');
  return { issuer: 'partners', claims };
}

/** Builds the claims for a validated mint request; throws MintError for a request it cannot honour. */
export function claimsFor(request: MintRequest, ctx: ClaimContext): IssuedClaims {
  switch (request.profile) {
    case 'citizen':
      return citizenClaims(request, ctx);
    case 'partner':
      return partnerClaims(request.clientId ?? DEFAULT_PARTNER_CLIENT, request.scopes, request, ctx);
    default:
      return staffClaims(request.profile, request, ctx);
  }
}
