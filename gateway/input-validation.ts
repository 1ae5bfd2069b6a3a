// Refuses invalid canonical inputs (a bad NHS number, an impossible date) at the edge, before
// any query planning or subgraph call. See platform/input-validation.ts.
//
// Literals (and variables' default values) are checked during validation, whose result Yoga
// caches per document. Variables are checked at execution, per request: a variable-dependent
// validation rule would have its first result reused for every later request with the same
// document (leaking the first caller's value and skipping the check for others).
//
// Either way the request is refused as a whole before anything runs: HTTP 400 (README, "Error codes").
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { canonicalInputRule } from '../platform/input-validation.js';
import { ErrorCode } from '../platform/errors.js';

const literalsOnly = canonicalInputRule(undefined);

/** Marked in place: the same (cached) errors are returned for every request with the document. */
function asBadRequest<T extends readonly Error[]>(errors: T): T {
  for (const error of errors)
    if (error instanceof GraphQLError && error.extensions['code'] === ErrorCode.BAD_USER_INPUT)
      (error.extensions as Record<string, unknown>)['http'] = { status: 400 };
  return errors;
}

export function useCanonicalInputValidation(): GatewayPlugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(literalsOnly);
      return ({ result }) => void asBadRequest(result);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      if (!variables || Object.keys(variables).length === 0) return;
      const errors = validate(args.schema as GraphQLSchema, args.document as DocumentNode, [
        canonicalInputRule(variables),
      ]);
      if (errors.length > 0) setResultAndStopExecution({ errors: asBadRequest(errors) });
    },
  };
}
