// The four subgraphs of the public graphql-gateways-benchmark (accounts, inventory, products,
// reviews) as Federation 2 SDL and resolvers for @apollo/subgraph. Their composition matches
// the reference's supergraph: the same keys, the `@requires(fields: "price weight")` on
// inventory's shippingEstimate and the `@provides(fields: "username")` on a review's author.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type DocumentNode } from 'graphql';
import {
  AUTHOR,
  INVENTORY,
  PRODUCTS,
  REVIEWS,
  USERS,
  reviewsOfAnyUser,
  reviewsOfProduct,
  shippingEstimate,
  type InventoryItem,
  type Review,
} from './data.js';

export type BenchSubgraphName = 'accounts' | 'inventory' | 'products' | 'reviews';

export interface BenchSubgraph {
  name: BenchSubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap;
}

const FEDERATION = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ${JSON.stringify(imports)})`;

const byId = <T extends { id: string }>(items: readonly T[], id: string): T | null =>
  items.find((item) => item.id === id) ?? null;
const byUpc = <T extends { upc: string }>(items: readonly T[], upc: string): T | null =>
  items.find((item) => item.upc === upc) ?? null;

const accounts: BenchSubgraph = {
  name: 'accounts',
  typeDefs: parse(/* GraphQL */ `
    ${FEDERATION(['@key', '@shareable'])}
    type Query {
      me: User
      user(id: ID!): User
      users: [User]
    }
    type User @key(fields: "id") {
      id: ID!
      name: String
      username: String @shareable
      birthday: Int
    }
  `),
  resolvers: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, { id }: { id: string }) => byId(USERS, id),
      users: () => USERS,
    },
    User: { __resolveReference: ({ id }: { id: string }) => byId(USERS, id) },
  },
};

const inventory: BenchSubgraph = {
  name: 'inventory',
  typeDefs: parse(/* GraphQL */ `
    ${FEDERATION(['@key', '@external', '@requires'])}
    type Product @key(fields: "upc") {
      upc: String!
      weight: Int @external
      price: Int @external
      inStock: Boolean
      shippingEstimate: Int @requires(fields: "price weight")
    }
  `),
  resolvers: {
    Product: {
      // Like the reference, the row is found by upc alone; the required price and weight arrive
      // in the representation but the estimate is computed from the row (so it is null).
      __resolveReference: ({ upc }: { upc: string }) => byUpc(INVENTORY, upc),
      shippingEstimate: (item: InventoryItem) => shippingEstimate(item),
    },
  },
};

const products: BenchSubgraph = {
  name: 'products',
  typeDefs: parse(/* GraphQL */ `
    ${FEDERATION(['@key'])}
    type Query {
      topProducts(first: Int = 5): [Product]
    }
    type Product @key(fields: "upc") {
      upc: String!
      name: String
      price: Int
      weight: Int
    }
  `),
  resolvers: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => byUpc(PRODUCTS, upc) },
  },
};

const reviews: BenchSubgraph = {
  name: 'reviews',
  typeDefs: parse(/* GraphQL */ `
    ${FEDERATION(['@key', '@external', '@provides'])}
    type Review @key(fields: "id") {
      id: ID!
      body: String
      product: Product
      author: User @provides(fields: "username")
    }
    type User @key(fields: "id") {
      id: ID!
      username: String @external
      reviews: [Review]
    }
    type Product @key(fields: "upc") {
      upc: String!
      reviews: [Review]
    }
  `),
  resolvers: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => byId(REVIEWS, id),
      product: (review: Review) => ({ upc: review.productUpc }),
      author: () => AUTHOR,
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => ({ id, username: 'user' }),
      reviews: () => reviewsOfAnyUser(),
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
      reviews: ({ upc }: { upc: string }) => reviewsOfProduct(upc),
    },
  },
};

export const BENCH_SUBGRAPHS: readonly BenchSubgraph[] = [accounts, inventory, products, reviews];
