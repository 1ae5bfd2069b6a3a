// The organisations subgraph (ODS FHIR R4), declared once: the registry, codegen, configuration
// and the stack launcher read it (platform/manifest.ts).
import { defineSubgraph } from '../../platform/manifest.js';

export const organisations = defineSubgraph({
  name: 'organisations',
  port: 4103,
  description: 'Organisations from the Organisation Data Service (ODS FHIR R4).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {
    ods: {
      label: 'ODS',
      variablePrefix: 'ODS',
      baseUrlDescription:
        'ODS FHIR R4 base, e.g. https://int.api.service.nhs.uk/organisation-data-terminology-api/fhir',
      sandboxPath: '/organisation-data-terminology-api/fhir',
      timeoutMs: 5000,
      maxConcurrency: 8,
      retries: true,
      access: 'application-restricted',
    },
  },
  cacheTiers: ['daily'],
  keyedWrites: false,
  codegen: {
    mappers: {
      Organisation: '../model.js#OrganisationRecord',
      OrganisationRelationship: '../model.js#OrganisationRelationship',
    },
    contextType: '../loaders.js#OrganisationsContext',
  },
  build: async ({ config, upstreams, cacheTier }) => {
    const { createOrganisationsSubgraph } = await import('./server.js');
    return {
      definition: createOrganisationsSubgraph(
        upstreams.ods,
        cacheTier('daily'),
        config.upstreams.ods.baseUrl,
      ),
    };
  },
});
