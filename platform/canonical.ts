// Canonical value types shared by every subgraph (see schema/shared.graphql).
// Sources produce these; resolvers return them unchanged.

export interface Coding {
  system: string | null;
  code: string | null;
  display: string | null;
}

export interface Concept {
  /** SNOMED CT concept id, or null when unmapped. */
  code: string | null;
  display: string | null;
  codings: Coding[];
  mapped: boolean;
}

export interface Provenance {
  source: string;
  /** ISO 8601 instant. */
  retrievedAt: string;
  stale: boolean;
  /** Seconds since retrievedAt when the answer was made; computed from retrievedAt when absent. */
  ageSeconds?: number;
}

/** Whole seconds from `retrievedAt` to `now`, never negative. */
export function ageInSeconds(retrievedAt: string, now = Date.now()): number {
  const at = Date.parse(retrievedAt);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((now - at) / 1000));
}

export interface Period {
  start: string | null;
  end: string | null;
}
