// Canonical -> what GP Connect is sent with every structured-record call: the Parameters body
// (one per patient, with the union of the sections asked) and the cross-organisation audit JWT
// claims every GP Connect request carries. Pure functions; the source encodes and sends them.
import type { Principal } from '../../../platform/principal.js';
import { ODS_ORGANISATION_SYSTEM, SDS_ROLE_PROFILE_SYSTEM, SDS_USER_SYSTEM } from '../fhir.js';
import type { Section, SectionRequest } from '../model.js';

/** The Parameters body for $gpc.getstructuredrecord (accessrecord_structured_development_retrieve_patient_record). */
export function structuredRecordParameters(nhsNumber: string, requests: readonly SectionRequest[]) {
  const wants = (section: Section) => requests.some((r) => r.section === section);
  const parameter: Array<Record<string, unknown>> = [
    {
      name: 'patientNHSNumber',
      valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber },
    },
  ];
  if (wants('allergies')) {
    const ended = requests.some((r) => r.section === 'allergies' && r.includeEnded === true);
    parameter.push({
      name: 'includeAllergies',
      part: [{ name: 'includeResolvedAllergies', valueBoolean: ended }],
    });
  }
  if (wants('medications')) {
    const issues = requests.some((r) => r.section === 'medications' && r.includeIssues === true);
    parameter.push({
      name: 'includeMedication',
      part: [{ name: 'includePrescriptionIssues', valueBoolean: issues }],
    });
  }
  if (wants('problems')) parameter.push({ name: 'includeProblems' });
  if (wants('immunisations')) parameter.push({ name: 'includeImmunisations' });
  return {
    resourceType: 'Parameters',
    meta: {
      profile: ['https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1'],
    },
    parameter,
  };
}

// ---------------------------------------------------------------------------------------------
// The cross-organisation audit JWT (integration_cross_organisation_audit_and_provenance.md; APIS.md
// §2): unsigned, one per request, naming who asks, from which organisation and system, and why.

export type RequestedScope = 'patient/*.read' | 'patient/*.write' | 'organization/*.read';

export interface AuditClaimsContext {
  principal: Principal;
  /** The provider FHIR service root the request is sent to. */
  audience: string;
  requestedScope: RequestedScope;
  /** nhs-graph as a GP Connect consumer: its ASID, and its organisation for callers with none. */
  consumer: { asid: string; odsCode: string; name: string };
  nowSeconds: number;
}

/** The JWT claims for one GP Connect request; `exp` is `iat` + 5 minutes, as the specification fixes. */
export function auditClaims(context: AuditClaimsContext): Record<string, unknown> {
  const { principal, consumer } = context;
  const practitioner = requestingPractitioner(principal);
  const odsCode = principal.kind === 'staff' && principal.orgCode ? principal.orgCode : consumer.odsCode;
  return {
    iss: `urn:nhs-graph:asid:${consumer.asid}`,
    sub: practitioner['id'],
    aud: context.audience,
    exp: context.nowSeconds + 300,
    iat: context.nowSeconds,
    reason_for_request: 'directcare',
    requested_scope: context.requestedScope,
    requesting_device: {
      resourceType: 'Device',
      identifier: [{ system: 'urn:nhs-graph:asid', value: consumer.asid }],
      model: 'nhs-graph',
      version: '1',
    },
    requesting_organization: {
      resourceType: 'Organization',
      identifier: [{ system: ODS_ORGANISATION_SYSTEM, value: odsCode }],
      name: odsCode === consumer.odsCode ? consumer.name : odsCode,
    },
    requesting_practitioner: practitioner,
  };
}

/**
 * Staff are named by their CIS2 identity: SDS user id (the CIS2 subject) and the selected role's
 * SDS role profile id. GP Connect's direct-care APIs expect a practitioner; citizens and partners
 * are named by their nhs-graph identity under a local system (a limitation: patient-facing access
 * is a different GP Connect service).
 */
function requestingPractitioner(principal: Principal): Record<string, unknown> {
  if (principal.kind === 'staff') {
    return {
      resourceType: 'Practitioner',
      id: principal.subject,
      identifier: [
        { system: SDS_USER_SYSTEM, value: principal.subject },
        ...(principal.roleId ? [{ system: SDS_ROLE_PROFILE_SYSTEM, value: principal.roleId }] : []),
      ],
      ...(principal.displayName ? { name: [{ text: principal.displayName }] } : {}),
    };
  }
  return {
    resourceType: 'Practitioner',
    id: `${principal.kind}-${principal.subject}`,
    identifier: [{ system: `urn:nhs-graph:${principal.kind}`, value: principal.subject }],
  };
}
