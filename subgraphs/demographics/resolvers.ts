// Thin resolvers: arguments in, loader calls, canonical objects out.
import type { Resolvers } from './__generated__/resolvers-types.js';

export const resolvers: Resolvers = {
  Query: {
    patient: (_root, { nhsNumber }, { loaders }) => loaders.patientByNhsNumber.load(nhsNumber),
    searchPatients: (_root, { criteria }, { sources }) => sources.demographics.searchPatients(criteria),
  },
  Patient: {
    __resolveReference: ({ nhsNumber }, { loaders }) => loaders.patientByNhsNumber.load(nhsNumber),
    name: (patient) => patient.usualName,
    // Restricted records never disclose location: withheld here as well as in mapping, so no
    // future source or cache path can leak them (PDS patient-get.yaml, restricted patients).
    address: (patient) => (patient.restricted ? null : patient.address),
    telecom: (patient) => (patient.restricted ? [] : patient.telecom),
    registeredGp: (patient) =>
      patient.restricted || !patient.registeredGpOdsCode ? null : { odsCode: patient.registeredGpOdsCode },
  },
};
