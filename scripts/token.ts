// `npm run --silent token -- <profile> [options]`: prints a bearer token from the sandbox's local
// identity issuers (sandbox/identity), for curl and GraphiQL against a locally running stack.
// Only the token goes to stdout, so `TOKEN=$(npm run --silent token -- clinician)` just works;
// everything else goes to stderr with exit code 2.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../platform/config.js';
import { PROFILE_NAMES, type ProfileName } from '../sandbox/identity/profiles.js';

const USAGE = `Usage: npm run --silent token -- <profile> [options]

Prints a signed bearer token from the local sandbox issuers (start the stack with \`npm start\`).

Profiles:
  citizen      NHS login (RS512); default NHS number 9000000009 at P9
  clinician    CIS2 GP, Clinical Practitioner Access Role (R8000) at Y12345
  clerk        CIS2 practice clerk, Clerical Access Role (R8010): demographics only
  ig-officer   CIS2 Privacy Officer (R0001)
  partner      client-credentials token for a partner (default client acme)

Options:
  --nhs-number <n>     citizen's NHS number (10 digits)
  --level <P0|P5|P9>   citizen's identity proofing level
  --client-id <id>     partner client (acme, orgfinder)
  --scopes <a,b>       partner scopes, comma-separated (default: all the client may have)
  --org <ods>          staff organisation ODS code for the selected role
  --audience <aud>     token audience (default nhs-graph)
  --expires-in <sec>   lifetime in seconds (negative: already expired)
  --sandbox-url <url>  default http://127.0.0.1:$SANDBOX_PORT (4010)
  -h, --help           this help
`;

class UsageError extends Error {}

const MintAnswer = z.object({ token: z.string().min(1) });
const MintProblem = z.object({ error: z.string() });

function isProfile(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

/**
 * `--expires-in -60` as the README writes it: node's parseArgs takes a value starting with `-`
 * for another option, so a negative number is joined to its option first.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg === '--expires-in' && next !== undefined && /^-\d+$/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** The minting request the arguments describe, or 'help'. Throws UsageError on bad arguments. */
function parseTokenArgs(
  argv: readonly string[],
): 'help' | { sandboxUrl?: string; body: Record<string, unknown> } {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        'nhs-number': { type: 'string' },
        level: { type: 'string' },
        'client-id': { type: 'string' },
        scopes: { type: 'string' },
        org: { type: 'string' },
        audience: { type: 'string' },
        'expires-in': { type: 'string' },
        'sandbox-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  const [profile, ...extra] = positionals;
  if (profile === undefined) throw new UsageError('a profile is required');
  if (!isProfile(profile))
    throw new UsageError(`unknown profile '${profile}' (profiles: ${PROFILE_NAMES.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);

  const body: Record<string, unknown> = { profile };
  const expiresIn = values['expires-in'];
  if (expiresIn !== undefined && !/^-?\d+$/.test(expiresIn)) {
    throw new UsageError(`--expires-in must be a whole number of seconds, got '${expiresIn}'`);
  }
  // Leave validating the values to the sandbox, which answers with a precise message.
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) body[key] = value;
  };
  set('nhsNumber', values['nhs-number']);
  set('level', values.level);
  set('clientId', values['client-id']);
  set(
    'scopes',
    values.scopes
      ?.split(',')
      .map((scope) => scope.trim())
      .filter((scope) => scope !== ''),
  );
  set('orgCode', values.org);
  set('audience', values.audience);
  set('expiresInSeconds', expiresIn === undefined ? undefined : Number(expiresIn));
  const sandboxUrl = values['sandbox-url'];
  return sandboxUrl === undefined ? { body } : { sandboxUrl, body };
}

async function main(argv: readonly string[]): Promise<number> {
  let request: ReturnType<typeof parseTokenArgs>;
  try {
    request = parseTokenArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`token: ${error.message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (request === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let base: string;
  try {
    base = (request.sandboxUrl ?? loadConfig().sandbox.url).replace(/\/+$/, '');
  } catch (error) {
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let response: Response;
  try {
    response = await fetch(`${base}/_sandbox/identity/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    process.stderr.write(
      `token: cannot reach the sandbox at ${base}. Start the stack first with \`npm start\`.\n`,
    );
    return 2;
  }
  const json: unknown = await response.json().catch(() => undefined);
  const answer = MintAnswer.safeParse(json);
  if (response.ok && answer.success) {
    process.stdout.write(`${answer.data.token}\n`);
    return 0;
  }
  const problem = MintProblem.safeParse(json);
  const detail = problem.success ? problem.data.error : `HTTP ${response.status} from ${base}`;
  process.stderr.write(`token: the sandbox refused: ${detail}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
