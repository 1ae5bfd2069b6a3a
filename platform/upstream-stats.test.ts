// The status view's per-upstream figures: failures of the service apart from answers about the request.
import { outcomeOfStatus, recordUpstreamCall, upstreamStatuses } from './upstream-stats.js';

describe('upstream status', () => {
  it('classifies answers: 404/410 not found, other 4xx refused, 429 and 5xx failures', () => {
    expect([200, 201, 404, 410, 400, 403, 422, 429, 500, 503].map(outcomeOfStatus)).toEqual([
      'ok',
      'ok',
      'not-found',
      'not-found',
      'refused',
      'refused',
      'refused',
      'rate-limited',
      'server-error',
      'server-error',
    ]);
  });

  it('counts client errors apart from failures in the failure rate', () => {
    const service = `STATS-${Date.now()}`;
    for (const status of [200, 200, 200, 404, 404, 403, 503])
      recordUpstreamCall(service, 10, outcomeOfStatus(status));
    recordUpstreamCall(service, 5000, 'timeout');
    const status = upstreamStatuses().find((u) => u.service === service);
    expect(status).toMatchObject({
      calls: 8,
      failureRate: 0.25,
      failuresByType: { 'server-error': 1, timeout: 1 },
      clientErrors: { 'not-found': 2, refused: 1 },
    });
  });
});
