// Speculative entity fetches: the query plan runs a subgraph's entity fetch only after the root
// field's subgraph has answered, so `patient(nhsNumber) { name allergies }` waits for PDS before
// it asks GP Connect. Yet when an entity fetch's only input is the keys the query itself names
// (`[{__typename: "Patient", nhsNumber: <the argument>}]`), it can start together with the root
// fetch. This plugin learns, per operation shape, which entity fetches were exactly that; the next
// time the shape runs it starts them alongside the root fetch and, when the plan reaches them,
// serves the early answer only if the plan's request is identical (same subgraph, document and
// variables). Both planners are served: the JavaScript one sends the keys as `representations`
// in the root fields' order; the Rust one (@graphql-hive/router-runtime) batches them under its
// own variable name (`__batch_reps_0`) in its own order, so a learnt fetch records, for each
// representation, which root key it carries. Anything else — a superseded NHS number, an unknown or refused patient, another
// selection — makes the plan fetch as usual and the early answer is dropped, so answers never
// change; only latency does. A dropped fetch was still made (and audited by its subgraph).
//
// Only queries: after a mutation the plan must read the state the mutation left.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import {
  Kind,
  OperationTypeNode,
  print,
  type DocumentNode,
  type NullValueNode,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { speculativeFetches } from '../platform/metrics.js';

/** One root field's key argument, in the order the root fetch selects them. */
export interface RootKey {
  argument: string;
  value: string;
}

/** One representation of an entity fetch: its type, keyed by the root key at index `key`. */
export interface KeyedRepresentation {
  typename: string;
  key: number;
}

/** An entity fetch seen to depend only on a root fetch's key arguments. */
interface LearntFetch {
  rootSubgraph: string;
  /** The root fetch's shape: the Rust planner writes the query's literal keys into its text. */
  rootShape: string;
  subgraph: string;
  document: DocumentNode;
  documentText: string;
  /** The fetch's one variable, its list of representations. */
  variable: string;
  representations: KeyedRepresentation[];
}

interface RootFetch {
  subgraph: string;
  shape: string;
  keys: RootKey[];
}

interface EarlyFetch {
  variables: Record<string, unknown>;
  result: Promise<ExecutionResult>;
}

interface RequestState {
  shape: string;
  roots: RootFetch[];
  early: Map<string, EarlyFetch>;
}

const NULL: NullValueNode = { kind: Kind.NULL };

/** Operation shapes remembered; the oldest is forgotten first. */
const MAX_SHAPES = 500;

export function useSpeculativeEntityFetches(): GatewayPlugin {
  const learnt = new Map<string, LearntFetch[]>();
  const executors = new Map<string, Executor>();
  const requests = new WeakMap<object, RequestState>();

  const remember = (shape: string, fetch: LearntFetch) => {
    const known = learnt.get(shape) ?? [];
    if (known.some((k) => k.subgraph === fetch.subgraph && k.documentText === fetch.documentText)) return;
    learnt.delete(shape);
    learnt.set(shape, [...known, fetch]);
    if (learnt.size > MAX_SHAPES) learnt.delete(learnt.keys().next().value as string);
  };

  return {
    onExecute({ args }) {
      const context: unknown = args.contextValue;
      if (typeof context !== 'object' || context === null) return;
      const operationName: unknown = args.operationName;
      const shape = cachedOperationShape(
        args.document as DocumentNode,
        typeof operationName === 'string' ? operationName : null,
      );
      if (shape === null) return;
      requests.set(context, { shape, roots: [], early: new Map() });
      return {
        onExecuteDone() {
          // Early answers the plan never asked for are dropped, and counted.
          for (const slot of requests.get(context)?.early.keys() ?? [])
            speculativeFetches.inc({ subgraph: slot.split('\n')[0] as string, outcome: 'discarded' });
          requests.delete(context);
        },
      };
    },
    onSubgraphExecute(payload) {
      const { subgraphName, executionRequest } = payload;
      const context: unknown = executionRequest.context;
      const state = typeof context === 'object' && context !== null ? requests.get(context) : undefined;
      if (state === undefined) return;
      executors.set(subgraphName, payload.executor.bind(payload));
      const document: DocumentNode = executionRequest.document;
      const variables = (executionRequest.variables ?? {}) as Record<string, unknown>;

      if (!Object.values(variables).some(isRepresentationList)) {
        const keys = rootKeys(document, variables);
        const shape = keys && cachedOperationShape(document, null);
        if (!keys || !shape) return;
        state.roots.push({ subgraph: subgraphName, shape, keys });
        for (const fetch of learnt.get(state.shape) ?? []) {
          if (fetch.rootSubgraph !== subgraphName || fetch.rootShape !== shape) continue;
          const early = startEarly(fetch, keys, executionRequest, executors.get(fetch.subgraph));
          if (early) state.early.set(`${fetch.subgraph}\n${fetch.documentText}`, early);
        }
        return;
      }

      const documentText = printed(document);
      const slot = `${subgraphName}\n${documentText}`;
      const early = state.early.get(slot);
      if (early !== undefined) {
        state.early.delete(slot);
        // The same JSON is the same request to the subgraph. (isDeepStrictEqual judged the Rust
        // executor's 20-patient representations different from identical JSON once upstreams
        // were slow — something beyond the JSON differs — and every early fetch was discarded.)
        if (JSON.stringify(early.variables) === JSON.stringify(variables)) {
          speculativeFetches.inc({ subgraph: subgraphName, outcome: 'used' });
          payload.setExecutor(() => early.result);
          return;
        }
        speculativeFetches.inc({ subgraph: subgraphName, outcome: 'discarded' });
      }
      const [only, ...more] = Object.entries(variables);
      if (only === undefined || more.length > 0) return;
      const [variable, representations] = only;
      for (const root of state.roots) {
        const keyed = keyedBy(representations, root.keys);
        if (keyed === null) continue;
        remember(state.shape, {
          rootSubgraph: root.subgraph,
          rootShape: root.shape,
          subgraph: subgraphName,
          document,
          documentText,
          variable,
          representations: keyed,
        });
        return;
      }
    },
  };
}

function startEarly(
  fetch: LearntFetch,
  keys: RootKey[],
  rootRequest: ExecutionRequest,
  executor: Executor | undefined,
): EarlyFetch | null {
  if (executor === undefined || keys.length !== fetch.representations.length) return null;
  const variables = {
    [fetch.variable]: fetch.representations.map(({ typename, key }) => {
      const { argument, value } = keys[key] as RootKey;
      return { __typename: typename, [argument]: value };
    }),
  };
  const result = Promise.resolve(
    executor({
      document: fetch.document,
      variables,
      operationType: OperationTypeNode.QUERY,
      context: rootRequest.context as Record<string, unknown>,
    }),
  ).then((answer) => answer as ExecutionResult);
  // Unused early answers must not surface as unhandled rejections.
  result.catch(() => undefined);
  return { variables, result };
}

/**
 * The operation's shape: its text with the root fields' argument values taken out, so the same
 * query for another NHS number is the same shape. Null for anything but a query.
 */
export function operationShape(document: DocumentNode, operationName: string | null): string | null {
  const operation = chosenOperation(document, operationName);
  if (operation === null || operation.operation !== OperationTypeNode.QUERY) return null;
  // Cheap test first: only root fields of one argument each can be keyed by it.
  const keyable = operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && selection.arguments?.length === 1,
  );
  if (!keyable) return null;
  const blanked: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      ...operation.selectionSet,
      selections: operation.selectionSet.selections.map((selection) =>
        selection.kind === Kind.FIELD
          ? {
              ...selection,
              arguments: (selection.arguments ?? []).map((argument) => ({ ...argument, value: NULL })),
            }
          : selection,
      ),
    },
  };
  return print({ ...document, definitions: [...fragmentsOf(document), blanked] });
}

/**
 * The key arguments of a root fetch, in order: every root field must take exactly one argument
 * with a string value (literal or variable). Null otherwise, or if it is not a query.
 */
export function rootKeys(document: DocumentNode, variables: Record<string, unknown>): RootKey[] | null {
  const operation = chosenOperation(document, null);
  if (operation === null || operation.operation !== OperationTypeNode.QUERY) return null;
  const keys: RootKey[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    const key = soleStringArgument(selection, variables);
    if (key === null) return null;
    keys.push(key);
  }
  return keys.length > 0 ? keys : null;
}

/**
 * Each representation's typename and root key when every one is exactly
 * `{__typename, <argument>: <value>}` of a root key and every root key is used once, in whatever
 * order the planner put them; null when the fetch needs anything the query did not name (or
 * leaves out a key it named, e.g. a patient the root fetch did not find).
 */
export function keyedBy(representations: unknown, keys: readonly RootKey[]): KeyedRepresentation[] | null {
  if (!Array.isArray(representations) || representations.length !== keys.length) return null;
  const unused = new Set(keys.keys());
  const keyed: KeyedRepresentation[] = [];
  for (const representation of representations as unknown[]) {
    if (typeof representation !== 'object' || representation === null) return null;
    const record = representation as Record<string, unknown>;
    const typename = record['__typename'];
    if (Object.keys(record).length !== 2 || typeof typename !== 'string') return null;
    const key = [...unused].find((index) => {
      const { argument, value } = keys[index] as RootKey;
      return record[argument] === value;
    });
    if (key === undefined) return null;
    unused.delete(key);
    keyed.push({ typename, key });
  }
  return keyed;
}

/** An entity fetch's variable: a list of representations, each naming its `__typename`. */
function isRepresentationList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as Record<string, unknown>)['__typename'] === 'string',
    )
  );
}

function soleStringArgument(field: FieldNode, variables: Record<string, unknown>): RootKey | null {
  if (field.arguments?.length !== 1 || (field.directives?.length ?? 0) > 0) return null;
  const [argument] = field.arguments;
  if (argument === undefined) return null;
  const { value } = argument;
  const resolved =
    value.kind === Kind.VARIABLE
      ? variables[value.name.value]
      : value.kind === Kind.STRING
        ? value.value
        : undefined;
  return typeof resolved === 'string' ? { argument: argument.name.value, value: resolved } : null;
}

function chosenOperation(
  document: DocumentNode,
  operationName: string | null,
): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === null) return operations.length === 1 ? (operations[0] ?? null) : null;
  return operations.find((operation) => operation.name?.value === operationName) ?? null;
}

function fragmentsOf(document: DocumentNode) {
  return document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
}

const printedDocuments = new WeakMap<DocumentNode, string>();
function printed(document: DocumentNode): string {
  let text = printedDocuments.get(document);
  if (text === undefined) {
    text = print(document);
    printedDocuments.set(document, text);
  }
  return text;
}

/** Clients repeat queries and Yoga hands the same parsed document back, so shapes are kept per document. */
const shapes = new WeakMap<DocumentNode, Map<string | null, string | null>>();
function cachedOperationShape(document: DocumentNode, operationName: string | null): string | null {
  let byName = shapes.get(document);
  if (byName === undefined) shapes.set(document, (byName = new Map<string | null, string | null>()));
  let shape = byName.get(operationName);
  if (shape !== undefined) return shape;
  shape = operationShape(document, operationName);
  // Bounded by the document's own size: a caller cycling through made-up operation names adds nothing.
  if (byName.size <= document.definitions.length) byName.set(operationName, shape);
  return shape;
}
