import { isValidNhsNumber } from '../platform/nhs-number.js';
import { FhirPatientSchema } from './pds/fixtures.js';
import { toFhirPatient } from './pds/patient-resource.js';
import {
  createPrng,
  DEFAULT_SYNTHETIC_PATIENTS,
  generatePeople,
  MAX_SYNTHETIC_PATIENTS,
} from './synthetic.js';

describe('synthetic people', () => {
  const people = generatePeople();

  it('is deterministic for a seed', () => {
    expect(generatePeople(42, DEFAULT_SYNTHETIC_PATIENTS)).toEqual(people);
    expect(generatePeople(7, 50)).toEqual(generatePeople(7, 50));
  });

  it('differs between seeds', () => {
    const other = generatePeople(43);
    expect(other.map((p) => p.nhsNumber)).not.toEqual(people.map((p) => p.nhsNumber));
    expect(other).not.toEqual(people);
  });

  it('makes 1000 patients by default with unique, Modulus 11 valid numbers in the 999 test range', () => {
    expect(people).toHaveLength(1000);
    expect(new Set(people.map((p) => p.nhsNumber)).size).toBe(people.length);
    for (const { nhsNumber } of people) {
      expect(nhsNumber).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(nhsNumber)).toBe(true);
    }
    expect(people.map((p) => p.nhsNumber)).not.toContain('9999999999'); // GP Connect's "not in system"
  });

  it('includes restricted patients and both informal (1) and formal (2) deaths', () => {
    expect(people.filter((p) => p.restricted).length).toBeGreaterThan(10);
    expect(people.filter((p) => p.death?.notification === 'informal').length).toBeGreaterThan(10);
    expect(people.filter((p) => p.death?.notification === 'formal').length).toBeGreaterThan(10);
    for (const { birthDate, death } of people) {
      if (death !== null) expect(death.dateTime.slice(0, 10) >= birthDate).toBe(true);
    }
  });

  it('shapes each person like a real PDS Patient', () => {
    const person = people.find((p) => !p.restricted && p.death?.notification === 'informal');
    if (person === undefined) throw new Error('seed 42 has an informally deceased patient');
    const patient = toFhirPatient(person);
    expect(FhirPatientSchema.safeParse(patient).success).toBe(true);
    expect(patient).toMatchObject({
      resourceType: 'Patient',
      id: person.nhsNumber,
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: person.nhsNumber }],
      meta: { versionId: String(person.versionId), security: [{ code: 'U' }] },
      name: [{ use: 'usual', given: person.given, family: person.family, prefix: [person.prefix] }],
      gender: person.gender,
      birthDate: person.birthDate,
      deceasedDateTime: person.death?.dateTime,
      address: [{ use: 'home', postalCode: person.address.postalCode }],
      telecom: [
        { system: 'phone', value: person.phone },
        { system: 'email', value: person.email },
      ],
      generalPractitioner: [
        { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: person.gp.odsCode } },
      ],
      extension: [
        {
          url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus',
          extension: [{ valueCodeableConcept: { coding: [{ code: '1' }] } }, { url: 'systemEffectiveDate' }],
        },
      ],
    });
  });

  it('rejects seeds and counts it cannot honour', () => {
    expect(() => createPrng(-1)).toThrow(RangeError);
    expect(() => createPrng(1.5)).toThrow(RangeError);
    expect(() => generatePeople(42, MAX_SYNTHETIC_PATIENTS + 1)).toThrow(RangeError);
    expect(generatePeople(42, 0)).toEqual([]);
  });
});
