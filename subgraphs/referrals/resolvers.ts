// Thin resolvers: arguments in, loader calls, canonical objects out.
import { referenceKey } from '../../platform/upstream-keys.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { checkServiceIds, checkUbrn } from './mapping.js';

export const resolvers: Resolvers = {
  Query: {
    referral: (_root, { ubrn }, { loaders }) => loaders.referralByUbrn.load(checkUbrn(ubrn)),
    searchReferralServices: async (_root, { ids }, { loaders, sources }) => {
      const found = await sources.referrals.searchServices(checkServiceIds(ids));
      for (const service of found) loaders.serviceById.prime(service.id, service);
      return found;
    },
  },
  Patient: {
    // A key of the wrong shape is NOT_FOUND before any field reaches e-RS.
    __resolveReference: ({ nhsNumber }) =>
      referenceKey('nhsNumber', nhsNumber, 'Patient').then((key) => ({ nhsNumber: key })),
    referrals: async ({ nhsNumber }, _args, { loaders }) => {
      const ubrns = await loaders.ubrnsByNhsNumber.load(nhsNumber);
      return loaders.referralByUbrn.loadMany(ubrns).then((results) => {
        // A referral that cannot be read fails the list rather than vanishing from it.
        const failed = results.find((result) => result instanceof Error);
        if (failed) throw failed;
        return results as Exclude<(typeof results)[number], Error>[];
      });
    },
  },
  Referral: {
    // UBRNs arrive here from other services; one of the wrong shape is NOT_FOUND, e-RS not called.
    __resolveReference: ({ ubrn }, { loaders }) =>
      referenceKey('ubrn', ubrn, 'Referral').then((key) => loaders.referralByUbrn.load(key)),
    requester: (referral) =>
      referral.requester && {
        userId: referral.requester.userId,
        organisation: referral.requester.odsCode ? { odsCode: referral.requester.odsCode } : null,
      },
  },
  ReferralService: {
    // Where a service is based comes from its HealthcareService (A033) unless the payload said.
    organisation: async (service, _args, { loaders }) => {
      const odsCode = service.odsCode ?? (await loaders.serviceById.load(service.id)).odsCode;
      return odsCode ? { odsCode } : null;
    },
  },
};
