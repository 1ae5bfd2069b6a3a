// The e-RS payloads nhs-graph accepts (NHSDigital/e-referrals-service-api
// specification/e-referrals-service-api.yaml; the published sandbox mocks copied into
// sandbox/fixtures/ers/). e-RS speaks two FHIR generations: STU3 (`ReferralRequest`, the legacy
// NHS number system http://fhir.nhs.net/Id/nhs-number) and R4 (`ServiceRequest`,
// `HealthcareService`, https://fhir.nhs.uk/Id/nhs-number). Lenient to what we do not read; strict
// on what we do: a payload that fails here is never mapped.
import { z } from 'zod';
import {
  CodeableConceptSchema,
  CodingSchema,
  ExtensionSchema,
  OperationOutcomeSchema,
  parseWith,
  type ParseResult,
  SearchsetBundleSchema,
} from '../../platform/fhir.js';
import { UpstreamKey } from '../../platform/upstream-keys.js';

export const NHS_NUMBER_SYSTEM_STU3 = 'http://fhir.nhs.net/Id/nhs-number';
export const NHS_NUMBER_SYSTEM_R4 = 'https://fhir.nhs.uk/Id/nhs-number';
export const NHS_NUMBER_SYSTEMS: readonly string[] = [NHS_NUMBER_SYSTEM_STU3, NHS_NUMBER_SYSTEM_R4];
export const UBRN_SYSTEM = 'https://fhir.nhs.uk/Id/UBRN';
export const ERS_SERVICE_SYSTEM = 'http://fhir.nhs.net/Id/ers-service';
export const SDS_USER_SYSTEM = 'http://fhir.nhs.net/Id/sds-user-id';
export const ODS_ORGANISATION_SYSTEMS: readonly string[] = [
  'https://fhir.nhs.uk/Id/ods-organization-code',
  'https://fhir.nhs.uk/Id/ods-site-code',
  // STU3 service search: location references name ODS organisations by the Spine directory URL.
  'https://directory.spineservices.nhs.uk/STU3/Organization',
];

const STU3_EXTENSION = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const EXT = {
  referralState: `${STU3_EXTENSION}Extension-eRS-ReferralState-1`,
  priority: `${STU3_EXTENSION}Extension-eRS-ReferralPriority-1`,
  appointment: `${STU3_EXTENSION}Extension-eRS-Appointment-1`,
  shortlist: `${STU3_EXTENSION}Extension-eRS-ReferralShortlist-1`,
  clinicalInfoFirstSubmitted: `${STU3_EXTENSION}Extension-eRS-ClinicalInfoFirstSubmitted-1`,
  pathwayStart: `${STU3_EXTENSION}Extension-eRS-eReferralPathwayStart-1`,
} as const;

/**
 * A UBRN: 12 digits. The specification's `ubrn` path parameter
 * (components/stu3/schemas/pathParameters/Ubrn.yaml) is `type: string` with the example
 * `'000000070000'` and no `pattern`; every UBRN the specification and its sandbox publish
 * (000000070000–000000070012, 000000068002) is 12 digits, and so is the UBRN e-RS prints on a
 * patient's appointment letter.
 */
export const UBRN_PATTERN = UpstreamKey.ubrn.pattern;

const IdentifierSchema = z.object({ system: z.string().optional(), value: z.string().optional() });
export type ErsIdentifier = z.infer<typeof IdentifierSchema>;

const ReferenceSchema = z.object({
  reference: z.string().optional(),
  identifier: IdentifierSchema.optional(),
  display: z.string().optional(),
});
export type ErsReference = z.infer<typeof ReferenceSchema>;

/** The patient: an identifier in one of the two NHS number systems, 10 digits. */
const SubjectSchema = z.object({
  identifier: z.object({
    system: z.string().refine((system) => NHS_NUMBER_SYSTEMS.includes(system), 'not an NHS number system'),
    value: z.string().regex(/^\d{10}$/),
  }),
});

// Contained resources an eRS-ReferralRequest-1 carries (see the retrieveReferralRequest mocks).
export const ContainedAppointmentSchema = z.object({
  resourceType: z.literal('Appointment'),
  id: z.string(),
  status: z.string().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  created: z.string().optional(),
  participant: z.array(z.object({ actor: ReferenceSchema.optional() })).optional(),
});
export const ContainedListSchema = z.object({
  resourceType: z.literal('List'),
  id: z.string(),
  entry: z.array(z.object({ item: ReferenceSchema })).optional(),
});
export const ContainedParametersSchema = z.object({
  resourceType: z.literal('Parameters'),
  id: z.string(),
  parameter: z.array(z.object({ name: z.string(), valueCoding: CodingSchema.optional() }).loose()).optional(),
});
const CONTAINED_SCHEMAS: Record<string, z.ZodType> = {
  Appointment: ContainedAppointmentSchema,
  List: ContainedListSchema,
  Parameters: ContainedParametersSchema,
};

/** STU3 eRS-ReferralRequest-1 (A005 retrieve referral request). `id` is the UBRN. */
export const ErsReferralRequestSchema = z
  .object({
    resourceType: z.literal('ReferralRequest'),
    id: z.string().regex(UBRN_PATTERN),
    extension: z.array(ExtensionSchema).optional(),
    contained: z.array(z.looseObject({ resourceType: z.string() })).optional(),
    status: z.string(),
    intent: z.string().optional(),
    specialty: CodeableConceptSchema.optional(),
    subject: SubjectSchema,
    requester: z
      .object({ agent: ReferenceSchema.optional(), onBehalfOf: ReferenceSchema.optional() })
      .optional(),
    authoredOn: z.string().optional(),
  })
  .superRefine((referral, context) => {
    (referral.contained ?? []).forEach((resource, index) => {
      const schema = CONTAINED_SCHEMAS[resource.resourceType];
      if (schema !== undefined && !schema.safeParse(resource).success) {
        context.addIssue({ code: 'custom', path: ['contained', index], message: 'malformed' });
      }
    });
  });
export type ErsReferralRequest = z.infer<typeof ErsReferralRequestSchema>;

/** R4 eRS ServiceRequest (A041 search service request). The UBRN is an identifier. */
export const ErsServiceRequestSchema = z
  .object({
    resourceType: z.literal('ServiceRequest'),
    id: z.string(),
    identifier: z.array(IdentifierSchema),
    status: z.string(),
    intent: z.string().optional(),
    category: z.array(CodeableConceptSchema).optional(),
    priority: z.string().optional(),
    subject: SubjectSchema,
    requester: ReferenceSchema.optional(),
    authoredOn: z.string().optional(),
  })
  .superRefine((request, context) => {
    const ubrn = ubrnOf(request.identifier);
    if (ubrn === undefined || !UBRN_PATTERN.test(ubrn)) {
      context.addIssue({ code: 'custom', path: ['identifier'], message: 'no UBRN' });
    }
  });
export type ErsServiceRequest = z.infer<typeof ErsServiceRequestSchema>;

export const ubrnOf = (identifiers: readonly ErsIdentifier[]): string | undefined =>
  identifiers.find((identifier) => identifier.system === UBRN_SYSTEM)?.value;

/**
 * R4 eRS HealthcareService (A033 retrieve, A035 search). A035's `type` is a single object rather
 * than an array (the specification's Known Issues), so both are accepted.
 */
export const ErsHealthcareServiceSchema = z.object({
  resourceType: z.literal('HealthcareService'),
  id: z.string().min(1),
  active: z.boolean().optional(),
  name: z.string().optional(),
  type: z
    .union([z.array(CodeableConceptSchema), CodeableConceptSchema])
    .transform((type) => (Array.isArray(type) ? type : [type]))
    .optional(),
  location: z.array(ReferenceSchema).optional(),
  providedBy: ReferenceSchema.optional(),
});
export type ErsHealthcareService = z.infer<typeof ErsHealthcareServiceSchema>;

/** STU3 eRS-FetchWorklist-List-1 (A008): each entry references a ReferralRequest by UBRN. */
export const ErsWorklistSchema = z.object({
  resourceType: z.literal('List'),
  // Provider worklists (e.g. Referrals for Review) name the patient by a contained Patient.
  contained: z
    .array(
      z.looseObject({
        resourceType: z.string(),
        id: z.string().optional(),
        identifier: z.array(IdentifierSchema).optional(),
      }),
    )
    .optional(),
  entry: z
    .array(z.object({ extension: z.array(ExtensionSchema).optional(), item: ReferenceSchema }))
    .optional(),
});
export type ErsWorklist = z.infer<typeof ErsWorklistSchema>;

/** Both generations' OperationOutcomes (eRS-OperationOutcome-1 and NHSDigital-OperationOutcome). */
export const ErsOperationOutcomeSchema = OperationOutcomeSchema;
export type ErsOperationOutcome = z.infer<typeof ErsOperationOutcomeSchema>;

export type { ParseResult };

export const parseReferralRequest = (json: unknown) => parseWith(ErsReferralRequestSchema, json);
export const parseHealthcareService = (json: unknown) => parseWith(ErsHealthcareServiceSchema, json);
export const parseWorklist = (json: unknown) => parseWith(ErsWorklistSchema, json);
export const parseOperationOutcome = (json: unknown) => parseWith(ErsOperationOutcomeSchema, json);

/** The `match` entries of a searchset, each `resourceType` and valid for `schema`. */
export function parseSearchBundle<T>(
  json: unknown,
  resourceType: string,
  schema: z.ZodType<T>,
): ParseResult<T[]> {
  const bundle = parseWith(SearchsetBundleSchema, json);
  if (!bundle.success) return bundle;
  const matches: T[] = [];
  for (const [index, entry] of (bundle.data.entry ?? []).entries()) {
    if ((entry.search?.mode ?? 'match') !== 'match') continue;
    if (entry.resource.resourceType !== resourceType) {
      return { success: false, issues: [`entry.${index}.resource.resourceType: unexpected`] };
    }
    const parsed = parseWith(schema, entry.resource);
    if (!parsed.success) return { success: false, issues: parsed.issues.map((i) => `entry.${index}.${i}`) };
    matches.push(parsed.data);
  }
  return { success: true, data: matches };
}
