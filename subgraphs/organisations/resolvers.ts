// Thin resolvers: arguments in, loader calls, canonical objects out.
import { referenceKey } from '../../platform/upstream-keys.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { checkOdsCode } from './mapping.js';

export const resolvers: Resolvers = {
  Query: {
    organisation: (_root, { odsCode }, { loaders }) =>
      loaders.organisationByOdsCode.load(checkOdsCode(odsCode, 'odsCode')),
    searchOrganisations: async (_root, criteria, { loaders, sources }) => {
      const found = await sources.organisations.searchOrganisations(criteria);
      // A later reference to the same organisation in this request needs no second read.
      for (const organisation of found)
        loaders.organisationByOdsCode.prime(organisation.odsCode, organisation);
      return found;
    },
  },
  Organisation: {
    // Codes arrive here from other services (PDS's registered GP, e-RS, a CIS2 role claim). A code
    // of an ODS code's shape is looked up and ODS says whether it knows it; any other is NOT_FOUND
    // without a call (`..` must never become `/Organization/..`).
    __resolveReference: ({ odsCode }, { loaders }) =>
      referenceKey('odsCode', odsCode, 'Organisation').then((key) => loaders.organisationByOdsCode.load(key)),
    relationships: (organisation, _args, { loaders }) =>
      loaders.relationshipsByOdsCode.load(organisation.odsCode),
  },
  OrganisationRelationship: {
    target: (relationship, _args, { loaders }) =>
      loaders.organisationByOdsCode.load(relationship.targetOdsCode),
  },
};
