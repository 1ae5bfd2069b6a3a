// Sandbox scenarios that the published payloads lack, on fixed numbers so consumers can test
// them (documented in sandbox/README.md). patient-get.yaml describes the real behaviour:
// - superseded: "the new details are automatically returned in place of the requested details.
//   You can spot a superseded patient when the `id` is not the same as the one requested."
// - invalidated: 404 INVALIDATED_RESOURCE, "Patient did exist for given NHS number, but has been
//   invalidated and not superseded by another NHS number."

/**
 * Superseded number -> the current record served in its place. 5900053636 is the PDS INT record
 * named superseded in karate searchParams.feature (valid Modulus 11). Its real merge target
 * (9732019395) has no copied payload, so it points at the full sandbox record 9000000009.
 */
export const SUPERSEDED: ReadonlyMap<string, string> = new Map([['5900053636', '9000000009']]);

/** Invalidated (not superseded) records: 9000000041 is the next valid number in the sandbox's 90000000x series. */
export const INVALIDATED: ReadonlySet<string> = new Set(['9000000041']);

/** Documented here for the scenario table; 9111231130 needs no code (any unknown valid number is a 404). */
export const NOT_FOUND_EXAMPLE = '9111231130';
