// One hostile request and what nhs-graph must answer to it. Cases are data (test/hostile/cases/*.ts)
// so a reviewer reads the attack surface as tables; run-hostile-suite.ts sends them.
import type { MintOptions, Profile } from '../tokens.js';

/** Who the request claims to be: a sandbox token, none, or a raw Authorization value. */
export type Auth =
  | 'none'
  | Profile
  | { profile: Profile; options: MintOptions }
  | { raw: string }
  /** The gateway's own internal token, signed for `body` (a subgraph case). */
  | { internal: 'valid' | 'wrong-secret' | 'other-body' | 'expired' };

export type Mode = 'development' | 'production';

export interface HostileCase {
  name: string;
  /** Where it goes: the gateway (default) or straight to one subgraph's port. */
  target?: 'gateway' | 'demographics' | 'careRecord' | 'organisations' | 'audit' | 'identity';
  method?: string;
  /** Appended to the target's /graphql URL (e.g. `?query=…`). */
  search?: string;
  /** Replaces the target's path (e.g. `/graphql/../metrics`). */
  path?: string;
  auth?: Auth;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Sent twice: the second answer is the one judged (replays). */
  sendTwice?: boolean;
  /** Only the body's first bytes are sent, then nothing (a slow-body attack, issue 15, 3). */
  stallBody?: boolean;
  /** Only in these modes (default both). */
  modes?: Mode[];
  expect: {
    /** extensions.code of the first error; several when the issue leaves the choice open. */
    code?: string | string[];
    status?: number | number[];
    /** No patient (or any) data may come back. */
    noData?: boolean;
    /** Response header values that must match (null: must be absent). */
    headers?: Record<string, RegExp | null>;
    /** Text the response must not contain (e.g. a suggestion). */
    bodyNot?: RegExp;
    /** No upstream request path in the sandbox log may match (the value must not reach it). */
    upstreamPathNot?: RegExp;
    /** No upstream request at all may be made. */
    noUpstreamCall?: boolean;
  };
}

export interface HostileCategory {
  name: string;
  cases: HostileCase[];
}
