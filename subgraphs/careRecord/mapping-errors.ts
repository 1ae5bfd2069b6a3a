// GP Connect errors (GPConnect-OperationOutcome-1 with Spine codes,
// development_fhir_error_handling_guidance.md) -> graph errors with stable codes. Messages are
// ours: GP Connect's diagnostics never reach a client; its Spine code goes in
// `extensions.upstreamCode`, where a frontend can act on it.
import type { GraphQLError } from 'graphql';
import {
  commonUpstreamErrors,
  ErrorCode,
  type UpstreamErrorRule,
  upstreamRuleError,
} from '../../platform/errors.js';
import type { GpcOperationOutcome } from './fhir.js';
import { SERVICE } from './record/mapping.js';

const ERROR_CODE_SYSTEMS = [
  'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1',
  'https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1',
  // Earlier GP Connect versions (development_fhir_error_handling_guidance.md, DSTU2 examples).
  'https://fhir.nhs.uk/spine-error-or-warning-code-1',
  'http://fhir.nhs.net/ValueSet/gpconnect-error-or-warning-code-1',
];

const { REJECTED, UNAVAILABLE, RATE_LIMITED, INVALID_RESPONSE } = commonUpstreamErrors(SERVICE);
const rule = (code: ErrorCode, message: string): UpstreamErrorRule => ({ code, message });

/** Spine error codes GP Connect sends, and what they mean to a caller. */
const SPINE_CODES = new Map<string, UpstreamErrorRule>([
  [
    'NO_PATIENT_CONSENT',
    rule(ErrorCode.FORBIDDEN, 'The patient has asked their GP practice not to share their record.'),
  ],
  [
    'NO_ORGANISATION_CONSENT',
    rule(ErrorCode.FORBIDDEN, 'The GP practice does not share records with your organisation.'),
  ],
  [
    'NO_RELATIONSHIP',
    rule(ErrorCode.FORBIDDEN, 'GP Connect says you have no legitimate relationship with this patient.'),
  ],
  ['ACCESS DENIED', rule(ErrorCode.FORBIDDEN, 'GP Connect refused access to this record.')],
  ['ACCESS_DENIED', rule(ErrorCode.FORBIDDEN, 'GP Connect refused access to this record.')],
  [
    'PATIENT_NOT_FOUND',
    rule(
      ErrorCode.NOT_FOUND,
      'The GP practice holds no record it can share for this patient (not registered there, inactive, deceased or sensitive).',
    ),
  ],
  ['NO_RECORD_FOUND', rule(ErrorCode.NOT_FOUND, 'GP Connect holds no such record.')],
  ['REFERENCE_NOT_FOUND', rule(ErrorCode.NOT_FOUND, 'GP Connect holds no such slot or appointment.')],
  [
    'DUPLICATE_REJECTED',
    rule(
      ErrorCode.CONFLICT,
      'GP Connect refused a duplicate: the slot or appointment has changed; search again.',
    ),
  ],
  ['INVALID_NHS_NUMBER', rule(ErrorCode.UPSTREAM_REJECTED, 'GP Connect does not accept this NHS number.')],
]);

export function toUpstreamError(
  status: number,
  outcome: GpcOperationOutcome | null,
  retryAfterSeconds?: number,
): GraphQLError {
  const upstreamCode = outcome === null ? undefined : spineCode(outcome);
  const found = upstreamCode === undefined ? undefined : SPINE_CODES.get(upstreamCode);
  return upstreamRuleError(errorRule(status, found), { service: SERVICE, upstreamCode, retryAfterSeconds });
}

function errorRule(status: number, found: UpstreamErrorRule | undefined): UpstreamErrorRule {
  if (status === 429) return RATE_LIMITED;
  if (status === 408 || status >= 500) return UNAVAILABLE;
  if (found !== undefined && status >= 400) return found;
  if (status === 409)
    return rule(ErrorCode.CONFLICT, 'GP Connect refused the change because the record has changed.');
  if (status >= 400) return REJECTED;
  return INVALID_RESPONSE;
}

function spineCode(outcome: GpcOperationOutcome): string | undefined {
  for (const issue of outcome.issue) {
    const coding = issue.details?.coding?.find(
      (c) => c.system !== undefined && ERROR_CODE_SYSTEMS.includes(c.system.trim()) && c.code,
    );
    if (coding?.code !== undefined) return coding.code;
  }
  return undefined;
}
