// Loads what the e-RS stand-in serves: the e-RS sandbox's published mocks (copied into
// sandbox/fixtures/ers/, provenance in sandbox/fixtures/PROVENANCE.md), served as published, with
// the links in fixtures/derived/ers-links.json applied (derived/README.md): which sandbox patient
// two of the referrals belong to, and the service those referrals are booked to.
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const ROOT = new URL('../fixtures/', import.meta.url);
export const ERS_MOCKS = 'ers/sandbox/src/mocks/';

export type Json = Record<string, unknown>;

export const readMock = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`${ERS_MOCKS}${path}`, ROOT), 'utf8')) as Json;

const LinksSchema = z.object({
  referralPatients: z.array(
    z.object({ ubrn: z.string().regex(/^\d{12}$/), nhsNumber: z.string().regex(/^\d{10}$/) }),
  ),
  services: z.array(z.object({ id: z.string(), from: z.string(), name: z.string() })),
});

const ReferralSchema = z.looseObject({ resourceType: z.literal('ReferralRequest'), id: z.string() });
const ServiceSchema = z.looseObject({ resourceType: z.literal('HealthcareService'), id: z.string() });

export interface ErsFixtures {
  /** STU3 ReferralRequests by UBRN (A005). */
  referrals: Map<string, Json>;
  /** R4 HealthcareServices by id (A033). */
  services: Map<string, Json>;
  /** STU3 worklists by list type (A008). */
  worklists: Map<string, Json>;
  /** The patient a derived link gives a referral, by UBRN. */
  patientOf: Map<string, string>;
}

/** A008 list types and the published mock for each (retrieveWorklist/responses). */
export const WORKLIST_FILES: Record<string, string> = {
  AWAITING_BOOKING: 'AwaitingBooking.json',
  LETTERS_OUTSTANDING: 'LettersOutstanding.json',
  REJECTED_TRIAGE_RESPONSE: 'RejectedTriageResponse.json',
  ASSESSMENT_RETURNED_CANCELLED_DNA: 'AssessmentReturnedCancelledDna.json',
  REFERRALS_FOR_REVIEW: 'ReferralsForReview.json',
  APPOINTMENT_SLOT_ISSUES: 'AppointmentSlotIssues.json',
};

export function loadErsFixtures(): ErsFixtures {
  const links = LinksSchema.parse(
    JSON.parse(readFileSync(new URL('derived/ers-links.json', ROOT), 'utf8')) as unknown,
  );
  const patientOf = new Map(links.referralPatients.map((link) => [link.ubrn, link.nhsNumber]));

  const referrals = new Map<string, Json>();
  const dir = 'stu3/retrieveReferralRequest/responses/';
  for (const file of readdirSync(new URL(`${ERS_MOCKS}${dir}`, ROOT)).filter((f) => f.endsWith('.json'))) {
    const referral = ReferralSchema.parse(readMock(`${dir}${file}`));
    const nhsNumber = patientOf.get(referral.id);
    referrals.set(referral.id, nhsNumber === undefined ? referral : withPatient(referral, nhsNumber));
  }

  const services = new Map<string, Json>();
  for (const file of ['sampleServiceWithMinimumAttributes.json', 'sampleServiceWithFullAttributes.json']) {
    const service = ServiceSchema.parse(readMock(`r4/getService/responses/${file}`));
    services.set(service.id, service);
  }
  for (const derived of links.services) {
    const template = services.get(derived.from);
    if (template === undefined)
      throw new Error(`derived e-RS service ${derived.id}: no service ${derived.from}`);
    services.set(derived.id, { ...template, id: derived.id, name: derived.name });
  }

  const worklists = new Map<string, Json>();
  for (const [listType, file] of Object.entries(WORKLIST_FILES)) {
    worklists.set(
      listType,
      withWorklistPatients(readMock(`stu3/retrieveWorklist/responses/${file}`), patientOf),
    );
  }
  return { referrals, services, worklists, patientOf };
}

/**
 * The referral's patient replaced wherever the published mock names one: `subject` and the
 * contained appointment's patient participant. Only the NHS number value changes; the legacy
 * system (http://fhir.nhs.net/Id/nhs-number) is kept.
 */
function withPatient(referral: Json, nhsNumber: string): Json {
  return replaceNhsNumbers(referral, nhsNumber) as Json;
}

function withWorklistPatients(worklist: Json, patientOf: Map<string, string>): Json {
  const entries = Array.isArray(worklist['entry']) ? (worklist['entry'] as Json[]) : [];
  return {
    ...worklist,
    entry: entries.map((entry) => {
      const reference = (entry['item'] as { reference?: string } | undefined)?.reference ?? '';
      const nhsNumber = patientOf.get(reference.replace(/^ReferralRequest\//, ''));
      return nhsNumber === undefined ? entry : replaceNhsNumbers(entry, nhsNumber);
    }),
  };
}

const NHS_NUMBER_SYSTEMS = new Set([
  'http://fhir.nhs.net/Id/nhs-number',
  'https://fhir.nhs.uk/Id/nhs-number',
]);

/** A deep copy with every NHS-number identifier's value set to `nhsNumber`. */
function replaceNhsNumbers(value: unknown, nhsNumber: string): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceNhsNumbers(item, nhsNumber));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Json;
  if (typeof record['system'] === 'string' && NHS_NUMBER_SYSTEMS.has(record['system']) && 'value' in record) {
    return { ...record, value: nhsNumber };
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, inner]) => [key, replaceNhsNumbers(inner, nhsNumber)]),
  );
}
