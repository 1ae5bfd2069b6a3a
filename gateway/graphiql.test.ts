// Which GraphiQL each configuration gets: identity tabs need the local sandbox's issuers.
import { createLogger } from '../platform/logger.js';
import { loadGatewayConfig } from './config.js';
import { graphiqlOptions, trustsOnlyTheSandbox } from './graphiql.js';

const logger = createLogger('graphiql-test', 'silent');

describe('GraphiQL options', () => {
  it('serves no GraphiQL in production', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'production', INTERNAL_TOKEN_SECRET: 'x'.repeat(32) });
    expect(graphiqlOptions(config, logger)).toBe(false);
  });

  it('mints nothing when an issuer is not the local sandbox (real CIS2): GraphiQL opens without tabs', async () => {
    const config = loadGatewayConfig({
      CIS2_ISSUER:
        'https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare',
      CIS2_JWKS_URL: 'https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk/openam/oauth2/connect/jwk_uri',
    });
    expect(trustsOnlyTheSandbox(config)).toBe(false);
    const options = graphiqlOptions(config, logger);
    expect(options).not.toBe(false);
    if (options !== false) expect(await options()).toEqual({ title: 'nhs-graph' });
  });

  it('opens without tabs, rather than failing, when the sandbox cannot mint', async () => {
    const config = loadGatewayConfig({ SANDBOX_PORT: '1' }); // nothing listens on port 1
    expect(trustsOnlyTheSandbox(config)).toBe(true);
    const options = graphiqlOptions(config, logger);
    if (options === false) throw new Error('expected GraphiQL in development');
    expect(await options()).toEqual({ title: 'nhs-graph' });
  });
});
