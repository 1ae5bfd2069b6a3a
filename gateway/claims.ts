// Verified token claims -> Principal. Pure: the token's signature, issuer, audience and expiry
// are checked before this runs (authentication.ts). Claim names follow the real services
// (NHS login interface spec; CIS2 userinfo `nhsid_nrbac_roles`, `selected_roleid`).
import { z } from 'zod';
import type { IssuerConfig } from './config.js';
import type { Principal, PrincipalRole } from '../platform/principal.js';
import { UpstreamKey } from '../platform/upstream-keys.js';

const ProofingLevel = z.enum(['P0', 'P5', 'P9']);

const NhsLoginClaims = z.object({
  sub: z.string().min(1),
  nhs_number: z.string().regex(UpstreamKey.nhsNumber.pattern).optional(),
  // NHS login omits identity_proofing_level at P0 (scopes-and-claims); `vot` (e.g. P9.Cp.Cd)
  // always carries the level, so it is the fallback.
  identity_proofing_level: ProofingLevel.optional(),
  vot: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
});

// The role id and ODS code reach upstreams (e-RS headers, GP Connect's audit JWT, ODS URLs): a
// token whose roles do not have their documented shape is refused, like an incomplete one.
const Cis2Role = z.object({
  person_roleid: z.string().regex(UpstreamKey.roleId.pattern),
  org_code: z.string().regex(UpstreamKey.odsCode.pattern),
  role_code: z.string().min(1),
  role_name: z.string().optional(),
  activity_codes: z.array(z.string()).default([]),
});

const Cis2Claims = z.object({
  sub: z.string().min(1),
  name: z.string().optional(),
  authentication_assurance_level: z.coerce.number().int(),
  nhsid_nrbac_roles: z.array(Cis2Role).default([]),
  selected_roleid: z.string().optional(),
});

const PartnerClaims = z.object({
  client_id: z.string().min(1),
  scope: z.string().default(''),
});

export class ClaimsError extends Error {
  override name = 'ClaimsError';
}

export function principalFromClaims(
  issuer: IssuerConfig,
  claims: Record<string, unknown>,
  cis2MinAssuranceLevel: number,
): Principal {
  switch (issuer.kind) {
    case 'citizen':
      return citizen(issuer.name, parseClaims(NhsLoginClaims, claims));
    case 'staff':
      return staff(issuer.name, parseClaims(Cis2Claims, claims), cis2MinAssuranceLevel);
    case 'partner':
      return partner(issuer.name, parseClaims(PartnerClaims, claims));
  }
}

function parseClaims<T>(schema: z.ZodType<T>, claims: Record<string, unknown>): T {
  const parsed = schema.safeParse(claims);
  if (!parsed.success) throw new ClaimsError('token claims are incomplete');
  return parsed.data;
}

const empty = { roles: [], roleId: null, orgCode: null, activities: [], scopes: [] };

function proofingLevelOf(claims: z.infer<typeof NhsLoginClaims>): z.infer<typeof ProofingLevel> {
  const level = claims.identity_proofing_level ?? ProofingLevel.safeParse(claims.vot?.split('.')[0]).data;
  if (!level) throw new ClaimsError('no identity proofing level');
  return level;
}

function citizen(issuer: string, claims: z.infer<typeof NhsLoginClaims>): Principal {
  const displayName = [claims.given_name, claims.family_name].filter(Boolean).join(' ') || null;
  return {
    ...empty,
    kind: 'citizen',
    issuer,
    subject: claims.sub,
    displayName,
    // Below P9 NHS login has not verified the NHS number strongly; rules still see the level.
    nhsNumber: claims.nhs_number ?? null,
    proofingLevel: proofingLevelOf(claims),
    assuranceLevel: null,
  };
}

function staff(issuer: string, claims: z.infer<typeof Cis2Claims>, minAssurance: number): Principal {
  if (claims.authentication_assurance_level < minAssurance) throw new ClaimsError('assurance level too low');
  const roles: PrincipalRole[] = claims.nhsid_nrbac_roles.map((role) => ({
    roleId: role.person_roleid,
    roleCode: role.role_code,
    roleName: role.role_name ?? null,
    orgCode: role.org_code,
    activityCodes: role.activity_codes,
  }));
  // Only the selected role's activities count: a user acting as a receptionist at one practice
  // must not gain the clinical activities of a role they hold elsewhere.
  const selected = roles.find((role) => role.roleId === claims.selected_roleid) ?? null;
  return {
    ...empty,
    kind: 'staff',
    issuer,
    subject: claims.sub,
    displayName: claims.name ?? null,
    nhsNumber: null,
    proofingLevel: null,
    assuranceLevel: claims.authentication_assurance_level,
    roles,
    roleId: selected?.roleId ?? null,
    orgCode: selected?.orgCode ?? null,
    activities: selected?.activityCodes ?? [],
  };
}

function partner(issuer: string, claims: z.infer<typeof PartnerClaims>): Principal {
  return {
    ...empty,
    kind: 'partner',
    issuer,
    subject: claims.client_id,
    displayName: claims.client_id,
    nhsNumber: null,
    proofingLevel: null,
    assuranceLevel: null,
    scopes: claims.scope.split(' ').filter(Boolean),
  };
}
