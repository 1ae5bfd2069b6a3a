// The identity subgraph (`Query.me`, from the Principal the gateway established), declared once:
// the registry, codegen, configuration and the stack launcher read it (platform/manifest.ts).
import { defineSubgraph } from '../../platform/manifest.js';

export const identity = defineSubgraph({
  name: 'identity',
  port: 4102,
  description: 'The caller, as the gateway established them (no upstream).',
  schemaFile: new URL('./schema.graphql', import.meta.url),
  upstreams: {},
  cacheTiers: [],
  keyedWrites: false,
  codegen: {
    mappers: { Me: '../mapping.js#MeModel', StaffRole: '../mapping.js#StaffRoleModel' },
    contextType: '../loaders.js#IdentityContext',
  },
  build: async () => ({ definition: (await import('./server.js')).createIdentitySubgraph() }),
});
