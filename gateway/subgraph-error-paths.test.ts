// A subgraph outage is reported at the fields it leaves missing, never at fields others answer.
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { SUPERGRAPH_PATH } from './server.js';
import { fieldOwners, placeSubgraphError } from './subgraph-error-paths.js';

const owners = fieldOwners(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const outage = (path: string[], serviceName = 'careRecord') =>
  new GraphQLError('connect ECONNREFUSED', {
    path,
    extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName },
  });

describe('subgraph error paths', () => {
  it('reads which subgraphs resolve each field from the supergraph', () => {
    expect([...(owners.get('allergies') ?? [])]).toEqual(['careRecord']);
    expect(owners.get('nhsNumber')?.size).toBeGreaterThan(1);
  });

  it('moves the error to each missing field only the failed subgraph resolves', () => {
    const data = {
      patient: { nhsNumber: '9000000009', registeredGp: null, allergies: null, medications: null },
    };
    const placed = placeSubgraphError(outage(['patient']), data, owners);
    expect(placed.map((error) => error.path)).toEqual([
      ['patient', 'allergies'],
      ['patient', 'medications'],
    ]);
    expect(placed[0]?.extensions['serviceName']).toBe('careRecord');
  });

  it("leaves the error where it was when no missing field is that subgraph's alone", () => {
    const data = { patient: { nhsNumber: '9000000009', registeredGp: null } };
    expect(placeSubgraphError(outage(['patient']), data, owners).map((error) => error.path)).toEqual([
      ['patient'],
    ]);
    const other = new GraphQLError('x', { path: ['patient'], extensions: { code: 'NOT_FOUND' } });
    expect(placeSubgraphError(other, { patient: { allergies: null } }, owners)).toEqual([other]);
  });
});
