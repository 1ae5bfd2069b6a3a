// GraphiQL for local development: one tab per sandbox identity (citizen, clinician, clerk, IG
// officer, partner), each with an example query and an Authorization header holding a token the
// local sandbox minted for that identity, so the README's first query runs from the browser
// without copying tokens. Only when every trusted issuer is the local sandbox's: pointed at real
// NHS login or CIS2 there is nothing to mint, and GraphiQL opens without tabs (send your own
// token in its headers editor). Production serves no GraphiQL at all.
import type { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { GatewayConfig } from './config.js';
import type { Logger } from '../platform/logger.js';

type GraphiQLSetting = Parameters<typeof createGatewayRuntime>[0]['graphiql'];
type GraphiQLOptions = Exclude<Extract<GraphiQLSetting, object>, (...args: never[]) => unknown>;

const MINT_PATH = '/_sandbox/identity/tokens';
/** A working day: the page mints fresh tokens each time it is loaded. */
const TOKEN_LIFETIME_SECONDS = 8 * 3600;

interface SandboxIdentity {
  /** The sandbox's profile name (`npm run token -- <profile>`). */
  profile: 'citizen' | 'clinician' | 'clerk' | 'ig-officer' | 'partner';
  query: string;
}

// Operation names title the tabs.
const IDENTITIES: readonly SandboxIdentity[] = [
  {
    profile: 'clerk',
    query: `# A practice clerk (CIS2, Clerical Access Role): demographics, not clinical data.
query AsClerk {
  me { kind displayName activities }
  patient(nhsNumber: "9000000009") {
    nhsNumber
    name { text }
    birthDate
    address { lines postcode }
    registeredGp { odsCode name }
    provenance { source retrievedAt stale }
  }
}`,
  },
  {
    profile: 'clinician',
    query: `# A GP (CIS2, Clinical Practitioner Access Role): demographics and the GP record.
query AsClinician {
  patient(nhsNumber: "9000000009") {
    nhsNumber
    name { text }
    allergies { active { items { code { code display } criticality } } }
    medications { items { id } }
  }
}`,
  },
  {
    profile: 'citizen',
    query: `# A citizen (NHS login, P9): their own record only.
query AsCitizen {
  me { kind assuranceLevel patient { nhsNumber name { text } } }
}`,
  },
  {
    profile: 'ig-officer',
    query: `# An information-governance officer (CIS2, Privacy Officer): the audit trail.
query AsIgOfficer {
  auditRecords(filter: { patient: "9000000009" }, first: 10) {
    records { seq at operationName outcome principal { kind subject } }
    nextOffset
  }
}`,
  },
  {
    profile: 'partner',
    query: `# A partner (client credentials, client acme). Partners run persisted operations only, sent by
# id (see README, "Partners and persisted queries"): this free-form query is refused, as it
# would be for a partner's own app.
query AsPartner {
  me { kind scopes }
}`,
  },
];

async function mintSandboxToken(sandboxUrl: string, profile: SandboxIdentity['profile']): Promise<string> {
  const response = await fetch(`${sandboxUrl}${MINT_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile, expiresInSeconds: TOKEN_LIFETIME_SECONDS }),
    signal: AbortSignal.timeout(2000),
  });
  const body = (await response.json()) as { token?: unknown };
  if (!response.ok || typeof body.token !== 'string') throw new Error(`sandbox answered ${response.status}`);
  return body.token;
}

/** True when every issuer the gateway trusts is one of the local sandbox's. */
export function trustsOnlyTheSandbox(config: Pick<GatewayConfig, 'identity' | 'sandbox'>): boolean {
  const prefix = `${config.sandbox.url}/identity/`;
  return config.identity.issuers.every((issuer) => issuer.issuer.startsWith(prefix));
}

/** Yoga's `graphiql` option: false in production; in development, per page load, the identity tabs. */
export function graphiqlOptions(
  config: Pick<GatewayConfig, 'env' | 'identity' | 'sandbox'>,
  logger: Logger,
): false | (() => Promise<GraphiQLOptions>) {
  if (config.env === 'production') return false;
  const plain: GraphiQLOptions = { title: 'nhs-graph' };
  if (!trustsOnlyTheSandbox(config)) return () => Promise.resolve(plain);
  return async () => {
    try {
      const tabs = await Promise.all(
        IDENTITIES.map(async ({ profile, query }) => ({
          query,
          headers: JSON.stringify({
            Authorization: `Bearer ${await mintSandboxToken(config.sandbox.url, profile)}`,
          }),
        })),
      );
      // Headers are not kept in the browser: each load brings fresh tokens.
      return {
        ...plain,
        defaultTabs: tabs,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: 'headers',
      };
    } catch (error) {
      logger.warn({ err: error }, 'GraphiQL: could not mint sandbox tokens; opening without identity tabs');
      return plain;
    }
  };
}
