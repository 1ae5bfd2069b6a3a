// GP Connect's primary lists, as the stand-in builds them where no published example has one:
// codes and titles from "Primary lists in the query response"
// (accessrecord_structured_development_lists_for_message_structure); empty lists as the List and
// allergies guidance describe them ("No Content Recorded" with the note "Information not
// available"; "no known allergies" as nilknown with the term as text; an unconfirmed empty allergy
// list with no reason and an explanatory note).
import type { Json } from './fixtures.js';

export const LIST_CODES = {
  allergies: { code: '886921000000105', title: 'Allergies and adverse reactions' },
  endedAllergies: { code: '1103671000000101', title: 'Ended allergies' },
  medications: { code: '933361000000108', title: 'Medications and medical devices' },
  problems: { code: '717711000000103', title: 'Problems' },
  immunisations: { code: '1102181000000102', title: 'Immunisations' },
} as const;
export type ListName = keyof typeof LIST_CODES;

/** Lists and the resources they (transitively) need, for one section of one record. */
export interface Fragment {
  lists: Json[];
  resources: Json[];
}

export type EmptyKind = 'no-content-recorded' | 'nil-known' | 'unconfirmed';

const UNCONFIRMED_NOTE =
  'There are no allergies in the patient record but it has not been confirmed with the patient that they have no allergies (that is, a ‘no known allergies’ code has not been recorded).';

export function emptyList(name: ListName, kind: EmptyKind): Json {
  const { code, title } = LIST_CODES[name];
  const reason: Json =
    kind === 'no-content-recorded'
      ? {
          emptyReason: {
            coding: [
              {
                system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1',
                code: 'no-content-recorded',
                display: 'No Content Recorded',
              },
            ],
          },
          note: [{ text: 'Information not available' }],
        }
      : kind === 'nil-known'
        ? {
            emptyReason: {
              coding: [
                { system: 'http://hl7.org/fhir/list-empty-reason', code: 'nilknown', display: 'Nil Known' },
              ],
              text: 'No known allergies',
            },
          }
        : { note: [{ text: UNCONFIRMED_NOTE }] };
  return {
    resourceType: 'List',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-List-1'] },
    status: 'current',
    mode: 'snapshot',
    title,
    code: { coding: [{ system: 'http://snomed.info/sct', code, display: title }] },
    subject: { reference: 'Patient/04603d77-1a4e-4d63-b246-d7504f8bd833' },
    ...reason,
  };
}
