// The error codes a client may receive during a fault (README "Errors" and "The protected edge",
// issues 15 and 22). INTERNAL_SERVER_ERROR is documented too, but a known fault must say which it
// is, so the chaos run counts it as undocumented here.
export const FAULT_CODES = new Set([
  'UPSTREAM_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'AUDIT_UNAVAILABLE',
  'RATE_LIMITED',
  'OVERLOADED',
  'UPSTREAM_INVALID_RESPONSE',
  'UPSTREAM_REJECTED',
]);
