// The audit subgraph (`Query.auditRecords` over the audit store, for information governance),
// declared once: the registry, codegen, configuration and the stack launcher read it
// (platform/manifest.ts).
import { defineSubgraph } from '../../platform/manifest.js';

export const audit = defineSubgraph({
  name: 'audit',
  port: 4109,
  description: 'The audit trail, for information governance (reads the audit store).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {},
  cacheTiers: [],
  keyedWrites: false,
  codegen: {
    mappers: { AuditRecord: '../mapping.js#AuditRecordModel' },
    contextType: '../loaders.js#AuditContext',
  },
  build: async ({ config }) => {
    const { createAuditSubgraph } = await import('./server.js');
    const { createAuditStore } = await import('../../platform/audit/index.js');
    // The trail it reads: Postgres, or every process's embedded chain under AUDIT_DIR.
    const trail = await createAuditStore(config, 'audit-reader');
    return { definition: createAuditSubgraph(trail), close: () => trail.close() };
  },
});
