// Loads the real published PDS payloads copied into sandbox/fixtures/pds (provenance in
// sandbox/fixtures/PROVENANCE.md). Everything the stand-in answers with comes from here, or is
// shaped on it (synthetic patients), so the subgraph is developed against the real wire format.
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const ROOT = new URL('../fixtures/pds/', import.meta.url);
const KARATE = 'karate-tests/src/test/java/mocks/stubs/';

// Loose on purpose: these are someone else's payloads. We check the fields the stand-in reads and
// keep the rest byte-for-byte.
const Coding = z.looseObject({ system: z.string().optional(), code: z.string().optional() });
export const FhirPatientSchema = z.looseObject({
  resourceType: z.literal('Patient'),
  id: z.string(),
  meta: z.looseObject({ versionId: z.string(), security: z.array(Coding).optional() }),
  name: z
    .array(
      z.looseObject({
        use: z.string().optional(),
        given: z.array(z.string()).optional(),
        family: z.string().optional(),
      }),
    )
    .optional(),
  gender: z.string().optional(),
  birthDate: z.string().optional(),
  deceasedDateTime: z.string().optional(),
  address: z
    .array(z.looseObject({ use: z.string().optional(), postalCode: z.string().optional() }))
    .optional(),
  telecom: z.array(z.looseObject({ system: z.string().optional(), value: z.string().optional() })).optional(),
  generalPractitioner: z
    .array(z.looseObject({ identifier: z.looseObject({ value: z.string().optional() }).optional() }))
    .optional(),
  extension: z.array(z.looseObject({ url: z.string() })).optional(),
});
export type FhirPatient = z.infer<typeof FhirPatientSchema>;

const BundleSchema = z.looseObject({ entry: z.array(z.looseObject({ resource: z.unknown() })).min(1) });
const OperationOutcomeSchema = z.looseObject({ resourceType: z.literal('OperationOutcome') });

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, ROOT), 'utf8'));
}

/** The served patients by id, from the published sandbox mocks and karate patient stubs. */
export function loadFixturePatients(): Map<string, FhirPatient> {
  const patients = new Map<string, FhirPatient>();
  const add = (value: unknown, source: string): void => {
    const parsed = FhirPatientSchema.safeParse(value);
    if (!parsed.success) throw new Error(`PDS fixture ${source} is not a Patient: ${parsed.error.message}`);
    // Serve the file as published (zod's output would reorder keys); it has just been checked.
    patients.set(parsed.data.id, value as FhirPatient);
  };
  // Karate INT-style records first, so the public sandbox mocks below win for 9000000009/25/33
  // (patient-get.yaml documents those mocks as the sandbox answers).
  for (const file of readdirSync(new URL(`${KARATE}patientResponses/`, ROOT))) {
    if (/^patient_\d{10}\.json$/.test(file)) add(readJson(`${KARATE}patientResponses/${file}`), file);
  }
  add(readJson('sandbox/mocks/Patient.json'), 'Patient.json');
  add(readJson('sandbox/mocks/Patient-Jayne-Smyth.json'), 'Patient-Jayne-Smyth.json');
  add(readJson('sandbox/mocks/Sensitive_Patient.json'), 'Sensitive_Patient.json');
  add(readJson('sandbox/mocks/Minimal_Patient.json'), 'Minimal_Patient.json');
  // 9000000015 is published only as a search Bundle; its one entry is the record.
  add(
    BundleSchema.parse(readJson('sandbox/mocks/PatientCompoundName.json')).entry[0]?.resource,
    'PatientCompoundName',
  );
  return patients;
}

/** The PDS error codes the stand-in answers with, each a real payload and its HTTP status. */
export const PDS_ERRORS = {
  // Proxy-generated header faults (tests/functional): answered before any route logic.
  MISSING_X_REQUEST_ID: { status: 400, file: 'tests/functional/data/responses/missing_x-request_id.json' },
  EMPTY_X_REQUEST_ID: { status: 400, file: 'tests/functional/data/responses/empty_x-request_id.json' },
  INVALID_X_REQUEST_ID: { status: 400, file: 'tests/functional/data/responses/invalid_x-request_id.json' },
  INVALID_RESOURCE_ID: { status: 400, file: `${KARATE}errorResponses/INVALID_RESOURCE_ID.json` },
  UNSUPPORTED_SERVICE: { status: 400, file: `${KARATE}errorResponses/UNSUPPORTED_SERVICE.json` },
  MISSING_VALUE: { status: 400, file: `${KARATE}errorResponses/MISSING_VALUE.json` },
  INVALID_VALUE: { status: 400, file: `${KARATE}errorResponses/INVALID_VALUE.json` },
  INVALID_SEARCH_DATA: { status: 400, file: `${KARATE}errorResponses/INVALID_SEARCH_DATA.json` },
  ADDITIONAL_PROPERTIES: { status: 400, file: `${KARATE}errorResponses/ADDITIONAL_PROPERTIES.json` },
  TOO_MANY_VALUES_SUBMITTED: { status: 400, file: `${KARATE}errorResponses/TOO_MANY_VALUES_SUBMITTED.json` },
  RESOURCE_NOT_FOUND: { status: 404, file: `${KARATE}errorResponses/RESOURCE_NOT_FOUND.json` },
  // patient-patch.yaml: a stale If-Match, a missing/malformed one, and a patch that does not apply.
  RESOURCE_VERSION_MISMATCH: { status: 409, file: `${KARATE}errorResponses/RESOURCE_VERSION_MISMATCH.json` },
  PRECONDITION_FAILED: { status: 412, file: `${KARATE}errorResponses/PRECONDITION_FAILED.json` },
  INVALID_UPDATE: { status: 400, file: `${KARATE}errorResponses/INVALID_UPDATE.json` },
  INVALIDATED_RESOURCE: { status: 404, file: `${KARATE}errorResponses/INVALIDATED_RESOURCE.json` },
  // patient-search.yaml: TOO_MANY_MATCHES is a *200* response carrying an OperationOutcome.
  TOO_MANY_MATCHES: { status: 200, file: `${KARATE}searchResponses/TOO_MANY_MATCHES.json` },
} as const;
export type PdsErrorCode = keyof typeof PDS_ERRORS;

const TEMPLATE = /^#\((\w+)\)$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Fills a karate stub's `#(name)` placeholders (some stubs are templates, APIS.md). A placeholder
 * without a value is removed rather than leaked; the karate mocks fill `diagnostics` the same way.
 */
export function fillTemplate(value: unknown, values: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => fillTemplate(item, values));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const placeholder = typeof inner === 'string' ? TEMPLATE.exec(inner) : null;
    if (placeholder === null) out[key] = fillTemplate(inner, values);
    else if (placeholder[1] !== undefined && values[placeholder[1]] !== undefined)
      out[key] = values[placeholder[1]];
  }
  return out;
}

export class PdsErrors {
  private readonly payloads = new Map<PdsErrorCode, unknown>();

  constructor() {
    for (const [code, { file }] of Object.entries(PDS_ERRORS)) {
      const raw = readJson(file);
      OperationOutcomeSchema.parse(raw); // checked, but kept as published (key order included)
      this.payloads.set(code as PdsErrorCode, raw);
    }
  }

  /**
   * A fresh copy of the real payload. `diagnostics`, when given, fills the stub's template or
   * replaces its literal text, as the karate sandbox mock's set*Error helpers do.
   */
  build(code: PdsErrorCode, diagnostics?: string): { status: number; body: unknown } {
    const values: Record<string, string> = diagnostics === undefined ? {} : { diagnostics };
    const body = fillTemplate(this.payloads.get(code), values);
    const issue: unknown =
      isRecord(body) && Array.isArray(body['issue']) ? (body['issue'] as unknown[])[0] : undefined;
    if (diagnostics !== undefined && isRecord(issue)) issue['diagnostics'] = diagnostics;
    return { status: PDS_ERRORS[code].status, body };
  }
}
