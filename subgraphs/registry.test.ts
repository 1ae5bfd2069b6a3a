// The manifests and the sandbox agree: every upstream a subgraph declares has a sandbox stand-in
// under the same name and at the path its base URL defaults to, and no two subgraphs or upstreams
// share a name or a variable.
import { DMD_BASE_PATH } from '../sandbox/dmd/handler.js';
import { ERS_BASE_PATH } from '../sandbox/ers/handler.js';
import { GPCONNECT_BASE_PATH } from '../sandbox/gpconnect/handler.js';
import { ODS_BASE_PATH } from '../sandbox/ods/handler.js';
import { PDS_BASE_PATH } from '../sandbox/pds/handler.js';
import { UPSTREAM_NAMES, type UpstreamName } from '../sandbox/upstream.js';
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

  it('defaults each base URL to where the sandbox serves that upstream', () => {
    const sandboxBasePaths: Record<UpstreamName, string> = {
      pds: PDS_BASE_PATH,
      ods: ODS_BASE_PATH,
      ers: ERS_BASE_PATH,
      gpconnect: GPCONNECT_BASE_PATH,
      dmd: DMD_BASE_PATH,
    };
    expect(Object.fromEntries(declared.map(({ key, upstream }) => [key, upstream.sandboxPath]))).toEqual(
      sandboxBasePaths,
    );
  });
});
