// The subgraph factory runs what a manifest declares: its port from <NAME>_PORT, a client per
// upstream configured from the upstream's variables, only the cache tiers it declares, and what
// `build` opened is closed with the subgraph.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { allow, shield } from 'graphql-shield';
import { createLogger } from './logger.js';
import { defineSubgraph, type SubgraphResources } from './manifest.js';
import { startSubgraphProcess } from './subgraph-factory.js';
import type { SubgraphDefinition } from './subgraph.js';

const logger = createLogger('test', 'silent');
const auditDir = mkdtempSync(join(tmpdir(), 'nhs-graph-factory-'));
afterAll(() => rmSync(auditDir, { recursive: true, force: true }));

const definition: SubgraphDefinition<Record<string, never>, Record<string, never>> = {
  name: 'factoryProbe',
  typeDefs: parse('type Query { ok: String }'),
  resolvers: { Query: { ok: () => 'ok' } },
  permissions: shield({ Query: { ok: allow } }, { allowExternalErrors: true }),
  createContext: (scope) => ({ ...scope, loaders: {}, sources: {} }),
};

function probe(build: (resources: SubgraphResources<'stub', undefined>) => Promise<void>) {
  const closed: string[] = [];
  const manifest = defineSubgraph({
    name: 'factoryProbe',
    port: 4999,
    description: 'A subgraph for this test.',
    schemaFile: new URL('file:///unused.graphql'),
    upstreams: {
      stub: {
        label: 'Stub',
        variablePrefix: 'STUB',
        baseUrlDescription: 'A stub upstream',
        sandboxPath: '/stub',
        timeoutMs: 1234,
        retries: false,
        access: 'open',
      },
    },
    cacheTiers: ['per-release'],
    keyedWrites: false,
    codegen: { mappers: {}, contextType: 'unused' },
    build: async (resources) => {
      await build(resources);
      return { definition, close: () => Promise.resolve(void closed.push('built')) };
    },
  });
  return { manifest, closed };
}

const env = { FACTORY_PROBE_PORT: '0', AUDIT_DIR: auditDir, SANDBOX_PORT: '4321', LOG_LEVEL: 'silent' };

it('listens on the port its variable names, with its upstreams configured from theirs', async () => {
  let seen: SubgraphResources<'stub', undefined> | undefined;
  const { manifest, closed } = probe((resources) => Promise.resolve(void (seen = resources)));
  const running = await startSubgraphProcess(manifest, logger, { ...env, STUB_TIMEOUT_MS: '2500' });
  try {
    const health = (await (await fetch(running.url.replace(/graphql$/, 'health'))).json()) as unknown;
    expect(health).toEqual({ status: 'ok', subgraph: 'factoryProbe' });
    expect(seen?.config.upstreams.stub).toEqual({
      name: 'Stub',
      baseUrl: 'http://127.0.0.1:4321/stub',
      timeoutMs: 2500,
    });
    expect(Object.keys(seen?.upstreams ?? {})).toEqual(['stub']);
    expect(seen?.cacheTier('per-release').name).toBe('per-release');
  } finally {
    await running.close();
  }
  expect(closed).toEqual(['built']);
});

it('refuses a cache tier the manifest does not declare, and starts nothing', async () => {
  const { manifest, closed } = probe((resources) => {
    resources.cacheTier('daily');
    return Promise.resolve();
  });
  await expect(startSubgraphProcess(manifest, logger, env)).rejects.toThrow(
    'The factoryProbe manifest declares no "daily" cache tier',
  );
  expect(closed).toEqual([]);
});
