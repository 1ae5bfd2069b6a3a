// THE place to edit when the patient summary grows: each section of the summary a clinician's
// screen would ask for, which upstream serves it, at which sequential stage, and what the answer
// must be for a sandbox person. Sections whose subgraph is not built yet are listed with
// `built: false`: they are left out of the query and named in the report as not yet measured.
import { loadOdsFixtures } from '../../sandbox/ods/fixtures.js';
import type { SyntheticPerson } from '../../sandbox/synthetic.js';
import { expectedAllergies, expectedMedications, gpRecordCounts } from './gp-record.js';

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
  /**
   * Sequential waves of calls to its upstream one query for these people needs: the subgraph
   * calls it at most so many at a time per request, so n patients take ceil(n / that) x L.
   */
  waves(people: readonly SyntheticPerson[]): number;
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
    // PDS_CONCURRENCY in subgraphs/demographics/source.ts (PDS's 5 TPS limit).
    waves: (people) => Math.ceil(people.length / 5),
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
    // ODS_CONCURRENCY in subgraphs/organisations/source.ts, once per distinct practice.
    waves: (people) => Math.ceil(new Set(people.map((person) => person.gp.odsCode)).size / 8),
    built: true,
    selection: 'registeredGp { odsCode name active }',
    expected: (person) => ({
      registeredGp: person.restricted
        ? null
        : { odsCode: person.gp.odsCode, name: practiceName(person.gp.odsCode), active: true },
    }),
  },
  {
    // One GP Connect structured-record call per patient carries both GP Connect sections. The
    // SNOMED CT code and display of each current allergy, in the allergies List's order (the order
    // the subgraph keeps), and why the list is empty when it is (`NIL_KNOWN` "no known allergies"
    // must not read as "nothing recorded"). Expected from the sandbox's FHIR: bench/summary/gp-record.ts.
    name: 'allergies (GP Connect)',
    upstream: 'gpconnect',
    stage: 1,
    // GPCONNECT_PATIENT_CONCURRENCY in subgraphs/careRecord/source.ts.
    waves: (people) => Math.ceil(people.length / 5),
    built: true,
    selection: 'allergies { active { items { code { code display } } emptyReason { kind } } }',
    expected: expectedAllergies,
  },
  {
    // Each medication's code as GP Connect sent it and the dm+d medicine it joins to (code and
    // dm+d's name), in the medications List's order; the empty reason when there are none. The
    // medication list itself comes from the GP Connect call above; dm+d is the stage-2 call.
    name: 'medications (GP Connect, dm+d)',
    upstream: 'dmd',
    stage: 2,
    // Every medicine of one request goes to dm+d as one batch call (up to 50 lookups; medicines'
    // source.ts): one wave when anyone has a medication.
    waves: (people) => (people.some((person) => gpRecordCounts(person).medications > 0) ? 1 : 0),
    built: true,
    selection: 'medications { items { code { code } medicine { code name } } emptyReason { kind } }',
    expected: expectedMedications,
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

/**
 * The critical path a query for `people` really has: the sequential stages of the built sections
 * whose upstream it called (`callsByUpstream`, per query, from the sandbox's request log). An
 * upstream answered from nhs-graph's own cache (ODS in the `directory` tier, dm+d in `reference`)
 * is not called and costs nothing, so a warm query's floor can be fewer stages than
 * criticalPathStages(). `waves` sums, per stage, the most waves any called section needs there.
 */
export function criticalPath(
  people: readonly SyntheticPerson[],
  callsByUpstream: Readonly<Record<string, number>>,
): { stages: number; waves: number; upstreams: string[] } {
  const called = builtSections().filter((section) => (callsByUpstream[section.upstream] ?? 0) > 0);
  const stages = [...new Set(called.map((section) => section.stage))];
  const waves = stages.reduce(
    (total, stage) =>
      total +
      Math.max(
        ...called.filter((section) => section.stage === stage).map((section) => section.waves(people)),
      ),
    0,
  );
  return { stages: stages.length, waves, upstreams: [...new Set(called.map((section) => section.upstream))] };
}
