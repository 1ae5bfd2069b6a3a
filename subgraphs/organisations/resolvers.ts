// Thin resolvers: arguments in, loader calls, canonical objects out.
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
    // Codes arrive here from other services (PDS's registered GP); they are looked up as sent,
    // never dropped, and ODS says whether it knows them.
    __resolveReference: ({ odsCode }, { loaders }) => loaders.organisationByOdsCode.load(odsCode),
    relationships: (organisation, _args, { loaders }) =>
      loaders.relationshipsByOdsCode.load(organisation.odsCode),
  },
  OrganisationRelationship: {
    target: (relationship, _args, { loaders }) =>
      loaders.organisationByOdsCode.load(relationship.targetOdsCode),
  },
};
