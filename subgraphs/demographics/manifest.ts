// The demographics subgraph (PDS FHIR R4), declared once: the registry, codegen, configuration
// and the stack launcher read it (platform/manifest.ts).
import { z } from 'zod';
import { defineSubgraph } from '../../platform/manifest.js';

export const demographics = defineSubgraph({
  name: 'demographics',
  port: 4101,
  description: 'Patients from the Personal Demographics Service (PDS FHIR R4).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {
    pds: {
      label: 'PDS',
      variablePrefix: 'PDS',
      baseUrlDescription:
        'PDS FHIR R4 base, e.g. https://int.api.service.nhs.uk/personal-demographics/FHIR/R4',
      sandboxPath: '/personal-demographics/FHIR/R4',
      timeoutMs: 5000,
      maxConcurrency: 5,
      maxConcurrencyDescription: 'Calls in flight at once to PDS, per process (PDS: 5 TPS by default).',
      retries: true,
      access: 'user-restricted',
    },
  },
  // The short-lived tier, for stale-if-error (source.ts); records are never served from it fresh.
  cacheTiers: ['minutes'],
  keyedWrites: true,
  settings: {
    variables: {
      DEMOGRAPHICS_STALE_IF_ERROR_SECONDS: z.coerce
        .number()
        .int()
        .min(0)
        .default(86_400)
        .describe(
          'How long past its TTL a PDS record may still be served, marked stale, while PDS is failing.',
        ),
    },
    read: (values) => ({ staleIfErrorSeconds: values.DEMOGRAPHICS_STALE_IF_ERROR_SECONDS }),
  },
  codegen: {
    mappers: { Patient: '../model.js#PatientRecord', PatientMatch: '../model.js#PatientMatch' },
    contextType: '../loaders.js#DemographicsContext',
  },
  build: async ({ config, upstreams, cacheTier, idempotency }) => {
    const { createDemographicsSubgraph } = await import('./server.js');
    const definition = createDemographicsSubgraph(
      upstreams.pds,
      {
        tier: cacheTier('minutes'),
        scope: config.upstreams.pds.baseUrl,
        staleIfErrorSeconds: config.settings.staleIfErrorSeconds,
      },
      idempotency ?? undefined,
    );
    return { definition };
  },
});
