// Thin resolvers: arguments in, loader and source calls, canonical objects out.
import { referenceKey } from '../../platform/upstream-keys.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import {
  appointmentRange,
  checkSlotRange,
  toBookingRequest,
  toCancellationRequest,
} from './appointments/mapping.js';
import type { Allergies, ImmunisationList, MedicationList, ProblemList } from './model.js';

const today = () => new Date().toISOString().slice(0, 10);

export const resolvers: Resolvers = {
  Query: {
    freeSlots: (_root, { from, to }, { sources }) =>
      sources.careRecord.searchFreeSlots(checkSlotRange(from, to)),
  },
  Mutation: {
    bookAppointment: (_root, { input }, { sources }) =>
      sources.careRecord.bookAppointment(toBookingRequest(input), input.idempotencyKey),
    cancelAppointment: (_root, { input }, { sources }) =>
      sources.careRecord.cancelAppointment(toCancellationRequest(input), input.idempotencyKey),
  },
  Patient: {
    // A key of the wrong shape is NOT_FOUND before any field reaches GP Connect.
    __resolveReference: ({ nhsNumber }) =>
      referenceKey('nhsNumber', nhsNumber, 'Patient').then((key) => ({ nhsNumber: key })),
    // All four load through one loader: the sections of one patient become one GP Connect call.
    allergies: async ({ nhsNumber }, { includeEnded }, { loaders }) =>
      (await loaders.section.load({ nhsNumber, section: 'allergies', includeEnded })) as Allergies,
    medications: async ({ nhsNumber }, { includeIssues }, { loaders }) =>
      (await loaders.section.load({ nhsNumber, section: 'medications', includeIssues })) as MedicationList,
    problems: async ({ nhsNumber }, { status }, { loaders }) => {
      const problems = (await loaders.section.load({ nhsNumber, section: 'problems' })) as ProblemList;
      if (!status) return problems;
      return { ...problems, items: problems.items.filter((p) => p.clinicalStatus === status.toLowerCase()) };
    },
    immunisations: async ({ nhsNumber }, _args, { loaders }) =>
      (await loaders.section.load({ nhsNumber, section: 'immunisations' })) as ImmunisationList,
    appointments: ({ nhsNumber }, { from, to }, { sources }) =>
      sources.careRecord.getAppointments(nhsNumber, appointmentRange(from, to, today())),
  },
  Medication: {
    medicine: (medication) => (medication.dmdCode ? { code: medication.dmdCode } : null),
  },
};
