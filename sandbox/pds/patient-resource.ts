// Shapes PDS Patient resources: synthetic people as real PDS records (on the template of
// sandbox/mocks/Patient.json), the restricted redaction and the search-result projection.
import { createHash } from 'node:crypto';
import type { SyntheticPerson } from '../synthetic.js';
import type { FhirPatient } from './fixtures.js';

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const DEATH_NOTIFICATION_URL =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus';
// Display texts from specification/components/schemas/codeable/DeathNotificationStatus.yaml.
const DEATH_NOTIFICATION = {
  informal: {
    code: '1',
    display:
      'Informal - death notice received via an update from a local NHS Organisation such as GP or Trust',
  },
  formal: { code: '2', display: 'Formal - death notice received from Registrar of Deaths' },
} as const;

/** Fields patient-get.yaml says are removed for restricted patients (search also drops `contact`). */
const LOCATION_SENSITIVE = ['address', 'telecom', 'contact', 'generalPractitioner'] as const;

export function isRestricted(patient: FhirPatient): boolean {
  return (patient.meta.security ?? []).some(
    (coding) => coding.system === CONFIDENTIALITY && coding.code === 'R',
  );
}

export function redactRestricted(patient: FhirPatient): FhirPatient {
  const copy: FhirPatient = { ...patient };
  for (const field of LOCATION_SENSITIVE) delete copy[field];
  return copy;
}

/** PDS element ids are short opaque strings ("hlMuz"); derive stable ones from the number. */
const elementId = (nhsNumber: string, element: string): string =>
  createHash('sha256')
    .update(`${nhsNumber}:${element}`)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 5);

/** The full (unredacted) record PDS holds for a synthetic person. */
export function toFhirPatient(person: SyntheticPerson): FhirPatient {
  const id = person.nhsNumber;
  const patient: FhirPatient = {
    resourceType: 'Patient',
    id,
    identifier: [
      {
        system: 'https://fhir.nhs.uk/Id/nhs-number',
        value: id,
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
            valueCodeableConcept: {
              coding: [
                {
                  system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatus',
                  version: '1.0.0',
                  code: '01',
                  display: 'Number present and verified',
                },
              ],
            },
          },
        ],
      },
    ],
    meta: {
      versionId: String(person.versionId),
      security: [
        person.restricted
          ? { system: CONFIDENTIALITY, code: 'R', display: 'restricted' }
          : { system: CONFIDENTIALITY, code: 'U', display: 'unrestricted' },
      ],
    },
    name: [
      {
        id: elementId(id, 'name'),
        use: 'usual',
        period: { start: person.birthDate },
        given: person.given,
        family: person.family,
        prefix: [person.prefix],
      },
    ],
    gender: person.gender,
    birthDate: person.birthDate,
  };
  if (person.death !== null) patient.deceasedDateTime = person.death.dateTime;
  patient.generalPractitioner = [
    {
      id: elementId(id, 'gp'),
      type: 'Organization',
      identifier: {
        system: 'https://fhir.nhs.uk/Id/ods-organization-code',
        value: person.gp.odsCode,
        period: { start: person.gp.since },
      },
    },
  ];
  if (person.death !== null) patient.extension = [deathNotification(person.death)];
  patient.telecom = [
    {
      id: elementId(id, 'phone'),
      period: { start: person.address.since },
      system: 'phone',
      value: person.phone,
      use: 'home',
    },
    {
      id: elementId(id, 'email'),
      period: { start: person.address.since },
      system: 'email',
      value: person.email,
      use: 'home',
    },
  ];
  patient.address = [
    {
      id: elementId(id, 'address'),
      period: { start: person.address.since },
      use: 'home',
      line: person.address.line,
      postalCode: person.address.postalCode,
    },
  ];
  return patient;
}

type Extension = NonNullable<FhirPatient['extension']>[number];

function deathNotification(death: NonNullable<SyntheticPerson['death']>): Extension {
  const status = DEATH_NOTIFICATION[death.notification];
  return {
    url: DEATH_NOTIFICATION_URL,
    extension: [
      {
        url: 'deathNotificationStatus',
        valueCodeableConcept: {
          coding: [
            {
              system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-DeathNotificationStatus',
              version: '1.0.0',
              ...status,
            },
          ],
        },
      },
      { url: 'systemEffectiveDate', valueDateTime: death.dateTime },
    ],
  };
}

// patient-search.yaml "Patient data returned": usual/nickname/temporary names, home address,
// contact details, GP, birth and death information; no place of birth, pharmacies, communication
// or contact preferences. Checked against the published search_patient_9000000009.json.
const SEARCH_FIELDS = [
  'resourceType',
  'id',
  'identifier',
  'meta',
  'name',
  'gender',
  'birthDate',
  'multipleBirthInteger',
  'deceasedDateTime',
  'address',
  'telecom',
  'contact',
  'generalPractitioner',
  'extension',
] as const;
const SEARCH_NAME_USES = new Set(['usual', 'nickname', 'temp']);

export function toSearchResource(patient: FhirPatient): FhirPatient {
  const out: Record<string, unknown> = {};
  for (const field of SEARCH_FIELDS) if (patient[field] !== undefined) out[field] = patient[field];
  const projected = out as FhirPatient;
  if (patient.name) projected.name = patient.name.filter((name) => SEARCH_NAME_USES.has(name.use ?? ''));
  if (patient.address) projected.address = patient.address.filter((address) => address.use === 'home');
  if (patient.extension) {
    const death = patient.extension.filter((extension) => extension.url === DEATH_NOTIFICATION_URL);
    if (death.length > 0) projected.extension = death;
    else delete projected.extension;
  }
  return isRestricted(patient) ? redactRestricted(projected) : projected;
}
