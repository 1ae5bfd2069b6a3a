// The manifests and the sandbox agree: every upstream a subgraph declares has a sandbox stand-in
// under the same name and at the path its base URL defaults to, and no two subgraphs or upstreams
// share a name or a variable.
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { UPSTREAM_NAMES } from '../sandbox/upstream.js';
import {
  portVariable,
  subgraphVariables,
  urlVariable,
  type UpstreamDeclaration,
} from '../platform/manifest.js';
import { subgraphRegistry } from './registry.js';

const declared = subgraphRegistry.flatMap((manifest) =>
  Object.entries<UpstreamDeclaration>(manifest.upstreams).map(([key, upstream]) => ({ key, upstream })),
);

describe('the subgraph registry', () => {
  it("names the sandbox's upstreams exactly as the manifests do", () => {
    expect(declared.map(({ key }) => key).sort()).toEqual([...UPSTREAM_NAMES].sort());
  });

  it('gives every subgraph and upstream its own name and variables', () => {
    const names = subgraphRegistry.map((manifest) => manifest.name);
    expect(new Set(names).size).toBe(names.length);
    const prefixes = declared.map(({ upstream }) => upstream.variablePrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    const variables = subgraphRegistry.flatMap((manifest) => Object.keys(subgraphVariables(manifest)));
    expect(new Set(variables).size).toBe(variables.length);
    expect(subgraphRegistry.find((manifest) => manifest.name === 'careRecord')).toMatchObject({ port: 4104 });
    expect(portVariable({ name: 'careRecord' })).toBe('CARE_RECORD_PORT');
    expect(urlVariable({ name: 'careRecord' })).toBe('CARE_RECORD_URL');
  });

  describe('against the sandbox', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox(0, { syntheticPatients: 1 });
    });
    afterAll(() => sandbox.close());

    // The stand-in at the path a base URL defaults to answers a path it does not serve itself,
    // under its own name (the sandbox router's own 404 names no upstream).
    it.each(declared.map(({ key, upstream }) => [key, upstream.sandboxPath]))(
      'serves %s at %s',
      async (key, sandboxPath) => {
        const response = await fetch(`${sandbox.url}${sandboxPath}/no-such-resource`);
        expect(response.status).toBe(404);
        expect(await response.text()).toContain(`No ${key} route for`);
      },
    );
  });
});
