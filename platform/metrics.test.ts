import { graphqlRequests, metricsRegistry, operationLabel, registerOperationNames } from './metrics.js';

describe('operation label', () => {
  it('keeps the label set bounded however many names clients choose', async () => {
    registerOperationNames(['PatientDemographics']);
    for (let i = 0; i < 1000; i += 1) {
      graphqlRequests.inc({
        component: 'test',
        operation: operationLabel(`ClientChosen${i}`),
        outcome: 'ok',
      });
    }
    graphqlRequests.inc({
      component: 'test',
      operation: operationLabel('PatientDemographics'),
      outcome: 'ok',
    });
    graphqlRequests.inc({ component: 'test', operation: operationLabel(undefined), outcome: 'ok' });
    const metric = await metricsRegistry.getSingleMetric('nhs_graph_graphql_requests_total')?.get();
    const labels = new Set(
      (metric?.values ?? [])
        .filter((v) => v.labels['component'] === 'test')
        .map((v) => v.labels['operation']),
    );
    expect([...labels].sort()).toEqual(['PatientDemographics', 'anonymous', 'other']);
  });

  it('labels only registered names by name', () => {
    registerOperationNames(['OrganisationLookup']);
    expect(operationLabel('OrganisationLookup')).toBe('OrganisationLookup');
    expect(operationLabel('SomethingElse')).toBe('other');
    expect(operationLabel('')).toBe('anonymous');
    expect(operationLabel(null)).toBe('anonymous');
  });
});
