// Refuses invalid canonical inputs (a bad NHS number, an impossible date) at the edge, before
// any query planning or subgraph call. See platform/input-validation.ts.
//
// Literals (and variables' default values) are checked during validation, whose result Yoga
// caches per document. Variables are checked at execution, per request: a variable-dependent
// validation rule would have its first result reused for every later request with the same
// document (leaking the first caller's value and skipping the check for others).
//
// Variables are also coerced to their declared types here, before the executor sees them: the
// JavaScript executor answers a variable of the wrong shape with graphql-js's own errors, but the
// Rust planner's executor (@graphql-hive/router-runtime) throws them, several at once as one
// AggregateError that the error mask can only hide as INTERNAL_SERVER_ERROR.
//
// Either way the request is refused as a whole before anything runs: HTTP 400 (README, "Error codes").
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
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
    onExecute({ args, setExecuteFn, setResultAndStopExecution }) {
      const schema = args.schema as GraphQLSchema;
      const document = args.document as DocumentNode;
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      const definitions =
        getOperationAST(document, args.operationName as string | null | undefined)?.variableDefinitions ?? [];
      if (definitions.length > 0) {
        const coerced = getVariableValues(schema, definitions, variables ?? {});
        if (coerced.errors) {
          // graphql-js's errors about what the caller sent, made for this request alone.
          for (const error of coerced.errors)
            (error.extensions as Record<string, unknown>)['code'] = ErrorCode.BAD_USER_INPUT;
          const errors = asBadRequest(coerced.errors);
          // Answered as the executor's own result, so the error mask still sees it (and strips
          // graphql-js's "Did you mean" hints in production) as it does for the JavaScript executor.
          setExecuteFn(() => ({ errors }));
          return;
        }
      }
      if (!variables || Object.keys(variables).length === 0) return;
      const errors = validate(schema, document, [canonicalInputRule(variables)]);
      if (errors.length > 0) setResultAndStopExecution({ errors: asBadRequest(errors) });
    },
  };
}
