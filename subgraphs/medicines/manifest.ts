// The medicines subgraph (dm+d, from a FHIR terminology server), declared once: the registry,
// codegen, configuration and the stack launcher read it (platform/manifest.ts).
import { defineSubgraph } from '../../platform/manifest.js';

export const medicines = defineSubgraph({
  name: 'medicines',
  port: 4106,
  description: 'Medicines from the Dictionary of Medicines and Devices (dm+d).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {
    dmd: {
      label: 'dm+d',
      variablePrefix: 'DMD',
      baseUrlDescription:
        'FHIR R4 terminology server holding dm+d (https://dmd.nhs.uk), e.g. the NHS England Terminology Server',
      sandboxPath: '/terminology/fhir',
      timeoutMs: 5000,
      maxConcurrency: 4,
      retries: true,
      access: 'client-credentials',
    },
  },
  cacheTiers: ['per-release'],
  keyedWrites: false,
  codegen: {
    mappers: { Medicine: '../model.js#MedicineRecord' },
    contextType: '../loaders.js#MedicinesContext',
  },
  build: async ({ config, upstreams, cacheTier }) => {
    const { createMedicinesSubgraph } = await import('./server.js');
    return {
      definition: createMedicinesSubgraph(
        upstreams.dmd,
        cacheTier('per-release'),
        config.upstreams.dmd.baseUrl,
      ),
    };
  },
});
