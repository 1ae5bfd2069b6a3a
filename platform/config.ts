// Configuration is read once at start-up from the environment, validated here, and passed in.
// Nothing else in the code reads process.env.
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = z.url({ protocol: /^https?$/ }).optional();
const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port(4000),
  SANDBOX_PORT: port(4010),
  DEMOGRAPHICS_PORT: port(4101),
  /** Where the gateway reaches the demographics subgraph; defaults to this machine. */
  DEMOGRAPHICS_URL: url,
  /** PDS FHIR R4 base, e.g. https://int.api.service.nhs.uk/personal-demographics/FHIR/R4. */
  PDS_BASE_URL: url,
  PDS_TIMEOUT_MS: millis(5000),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  host: string;
  gateway: { port: number };
  sandbox: { port: number; url: string };
  subgraphs: { demographics: { port: number; url: string } };
  upstreams: { pds: UpstreamConfig };
}

export interface UpstreamConfig {
  /** Name used in errors, logs and provenance, e.g. `PDS`. */
  name: string;
  baseUrl: string;
  timeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const local = (p: number) => `http://127.0.0.1:${p}`;
  const sandboxUrl = local(e.SANDBOX_PORT);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    gateway: { port: e.PORT },
    sandbox: { port: e.SANDBOX_PORT, url: sandboxUrl },
    subgraphs: {
      demographics: {
        port: e.DEMOGRAPHICS_PORT,
        url: e.DEMOGRAPHICS_URL ?? `${local(e.DEMOGRAPHICS_PORT)}/graphql`,
      },
    },
    upstreams: {
      pds: {
        name: 'PDS',
        baseUrl: trimSlash(e.PDS_BASE_URL ?? `${sandboxUrl}/personal-demographics/FHIR/R4`),
        timeoutMs: e.PDS_TIMEOUT_MS,
      },
    },
  };
}

const trimSlash = (value: string) => value.replace(/\/+$/, '');
