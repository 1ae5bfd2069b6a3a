// The referrals subgraph (e-RS, FHIR STU3 and R4), declared once: the registry, codegen,
// configuration and the stack launcher read it (platform/manifest.ts).
import { defineSubgraph } from '../../platform/manifest.js';

export const referrals = defineSubgraph({
  name: 'referrals',
  port: 4105,
  description: 'Referrals and services from the e-Referral Service (e-RS FHIR STU3 and R4).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {
    ers: {
      label: 'e-RS',
      variablePrefix: 'ERS',
      baseUrlDescription:
        'e-RS FHIR base (STU3 and R4 below it), e.g. https://int.api.service.nhs.uk/referrals/FHIR',
      sandboxPath: '/referrals/FHIR',
      timeoutMs: 5000,
      // No retries and platform/http.ts's default concurrency: e-RS calls are never retried.
      retries: false,
      access: 'user-restricted',
    },
  },
  // e-RS services change rarely but not per release: the `minutes` tier (5 minutes by default).
  cacheTiers: ['minutes'],
  keyedWrites: false,
  codegen: {
    mappers: {
      Patient: '../model.js#ReferralPatient',
      Referral: '../model.js#ReferralRecord',
      ReferralService: '../model.js#ReferralServiceRecord',
    },
    contextType: '../loaders.js#ReferralsContext',
  },
  build: async ({ config, upstreams, cacheTier }) => {
    const { createReferralsSubgraph } = await import('./server.js');
    return {
      definition: createReferralsSubgraph(upstreams.ers, cacheTier('minutes'), config.upstreams.ers.baseUrl),
    };
  },
});
