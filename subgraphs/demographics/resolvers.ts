// Thin resolvers: arguments in, loader calls, canonical objects out.
import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { recordsServed } from '../../platform/metrics.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { referenceKey } from '../../platform/upstream-keys.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { toAddressChange } from './mapping.js';
import type { PatientRecord } from './model.js';

/** A record served stale (PDS failing) is flagged in the response's `extensions.warnings`. */
async function warnIfStale(
  record: Promise<PatientRecord>,
  { warnings }: Pick<RequestScope, 'warnings'>,
  info: GraphQLResolveInfo,
): Promise<PatientRecord> {
  const patient = await record;
  const { stale, source, ageSeconds } = patient.provenance;
  recordsServed.inc({ service: source, freshness: stale ? 'stale' : 'fresh' });
  if (stale)
    warnings.push({
      code: 'STALE_DATA',
      path: responsePathAsArray(info.path),
      service: source,
      ageSeconds: ageSeconds ?? 0,
      message: `${source} could not be reached; this record is from nhs-graph's cache and may be out of date.`,
    });
  return patient;
}

export const resolvers: Resolvers = {
  Query: {
    patient: (_root, { nhsNumber }, context, info) =>
      warnIfStale(context.loaders.patientByNhsNumber.load(nhsNumber), context, info),
    searchPatients: (_root, { criteria }, { sources }) => sources.demographics.searchPatients(criteria),
  },
  Mutation: {
    updatePatientAddress: (_root, { input }, { sources }) =>
      sources.demographics.updateAddress(toAddressChange(input), input.idempotencyKey),
  },
  Patient: {
    // Keys arrive from other services; one of the wrong shape is NOT_FOUND, and PDS is not called.
    __resolveReference: ({ nhsNumber }, context, info) =>
      referenceKey('nhsNumber', nhsNumber, 'Patient').then((key) =>
        warnIfStale(context.loaders.patientByNhsNumber.load(key), context, info),
      ),
    name: (patient) => patient.usualName,
    version: (patient) => patient.versionId,
    // Restricted records never disclose location: withheld here as well as in mapping, so no
    // future source or cache path can leak them (PDS patient-get.yaml, restricted patients).
    address: (patient) => (patient.restricted ? null : patient.address),
    telecom: (patient) => (patient.restricted ? [] : patient.telecom),
    registeredGp: (patient) =>
      patient.restricted || !patient.registeredGpOdsCode ? null : { odsCode: patient.registeredGpOdsCode },
  },
};
