// Who is calling, as the gateway established it from a verified token. Subgraphs receive it in
// the gateway's signed internal token (platform/internal-token.ts) and authorise every field
// against it; they never see the caller's own token.
import { z } from 'zod';
import { UpstreamKey } from './upstream-keys.js';

// Claims that are sent upstream (in a header, a URL or GP Connect's audit JWT) have their
// documented shape here too, so a subgraph refuses a malformed one with the token itself.
const nhsNumber = z.string().regex(UpstreamKey.nhsNumber.pattern);
const roleId = z.string().regex(UpstreamKey.roleId.pattern);
const odsCode = z.string().regex(UpstreamKey.odsCode.pattern);

export const PrincipalSchema = z.object({
  kind: z.enum(['citizen', 'staff', 'partner']),
  /** The issuer's subject: NHS login / CIS2 `sub`, or the partner's client id. */
  subject: z.string().min(1),
  /** The issuer name from configuration, e.g. `nhs-login`. */
  issuer: z.string().min(1),
  displayName: z.string().nullable(),
  /** Citizens: their own NHS number from NHS login. */
  nhsNumber: nhsNumber.nullable(),
  /** Citizens: NHS login identity proofing level (P0, P5, P9). */
  proofingLevel: z.enum(['P0', 'P5', 'P9']).nullable(),
  /** Staff: CIS2 authentication assurance level (1–3). */
  assuranceLevel: z.number().int().nullable(),
  /** Staff: every RBAC role the person holds. */
  roles: z.array(
    z.object({
      roleId,
      roleCode: z.string(),
      roleName: z.string().nullable(),
      orgCode: odsCode,
      activityCodes: z.array(z.string()),
    }),
  ),
  /** Staff: the role selected for this session (`selected_roleid`); rules use only its activities. */
  roleId: roleId.nullable(),
  orgCode: odsCode.nullable(),
  activities: z.array(z.string()),
  /** Partners: OAuth scopes granted to the client. */
  scopes: z.array(z.string()),
});

export type Principal = z.infer<typeof PrincipalSchema>;
export type PrincipalRole = Principal['roles'][number];
