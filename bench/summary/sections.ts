// THE place to edit when the patient summary grows: each section of the summary a clinician's
// screen would ask for, which upstream serves it, at which sequential stage, and what the answer
// must be for a sandbox person. Sections whose subgraph is not built yet are listed with
// `built: false`: they are left out of the query and named in the report as not yet measured.
import { loadOdsFixtures } from '../../sandbox/ods/fixtures.js';
import type { SyntheticPerson } from '../../sandbox/synthetic.js';

export interface SummarySection {
  name: string;
  /** The sandbox upstream it calls (its name in PUT /_sandbox/faults/<upstream>). */
  upstream: 'pds' | 'ods' | 'gpconnect' | 'dmd';
  /**
   * Its place on the critical path: 1 = called straight from the entry point (PDS, GP Connect),
   * 2 = needs a stage-1 answer first (the GP's ODS record needs PDS's registered-GP code; dm+d
   * needs GP Connect's medication codes).
   */
  stage: number;
  built: boolean;
  /** The fields it adds inside `patient(nhsNumber) { ... }`. */
  selection: string;
  /** What those fields must answer for this person (merged into the expected patient). */
  expected(person: SyntheticPerson): Record<string, unknown>;
}

export const SUMMARY_SECTIONS: readonly SummarySection[] = [
  {
    name: 'demographics (PDS)',
    upstream: 'pds',
    stage: 1,
    built: true,
    selection:
      'nhsNumber name { family } birthDate gender restricted registeredGp { odsCode } provenance { source stale }',
    expected: (person) => ({
      nhsNumber: person.nhsNumber,
      name: { family: person.family },
      birthDate: person.birthDate,
      gender: person.gender.toUpperCase(),
      restricted: person.restricted,
      registeredGp: person.restricted ? null : { odsCode: person.gp.odsCode },
      provenance: { source: 'PDS', stale: false },
    }),
  },
  {
    name: 'registered GP practice (ODS)',
    upstream: 'ods',
    stage: 2,
    built: true,
    selection: 'registeredGp { odsCode name active }',
    expected: (person) => ({
      registeredGp: person.restricted
        ? null
        : { odsCode: person.gp.odsCode, name: practiceName(person.gp.odsCode), active: true },
    }),
  },
  {
    name: 'allergies (GP Connect)',
    upstream: 'gpconnect',
    stage: 1,
    built: false,
    selection: 'allergies { code { code display } }',
    expected: () => ({}),
  },
  {
    name: 'medications (GP Connect, dm+d)',
    upstream: 'dmd',
    stage: 2,
    built: false,
    selection: 'medications { medicine { code name } }',
    expected: () => ({}),
  },
];

export const builtSections = () => SUMMARY_SECTIONS.filter((section) => section.built);

/** Sequential upstream stages on the critical path of the built sections. */
export const criticalPathStages = () => Math.max(0, ...builtSections().map((section) => section.stage));

/** The query for these people: `patient` for one, aliases `a1`... for several. */
export function summaryQuery(nhsNumbers: readonly string[]): string {
  const selection = builtSections()
    .map((section) => section.selection)
    .join(' ');
  if (nhsNumbers.length === 1) return `{ patient(nhsNumber: "${nhsNumbers[0]}") { ${selection} } }`;
  const aliases = nhsNumbers.map(
    (number, index) => `a${index + 1}: patient(nhsNumber: "${number}") { ${selection} }`,
  );
  return `{ ${aliases.join(' ')} }`;
}

export function expectedSummary(people: readonly SyntheticPerson[]): { data: Record<string, unknown> } {
  const patient = (person: SyntheticPerson) =>
    Object.assign({}, ...builtSections().map((section) => section.expected(person))) as Record<
      string,
      unknown
    >;
  if (people.length === 1) return { data: { patient: patient(people[0] as SyntheticPerson) } };
  return { data: Object.fromEntries(people.map((person, index) => [`a${index + 1}`, patient(person)])) };
}

/** The practice name the sandbox's ODS stand-in serves (from the same fixtures). */
const practiceNames = new Map(
  [...loadOdsFixtures().organisations.values()].map((organisation) => [
    organisation.id,
    organisation['name'],
  ]),
);
function practiceName(odsCode: string): unknown {
  const name = practiceNames.get(odsCode);
  if (typeof name !== 'string') throw new Error(`the sandbox serves no ODS organisation ${odsCode}`);
  return name;
}
