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
}

export interface Period {
  start: string | null;
  end: string | null;
}
