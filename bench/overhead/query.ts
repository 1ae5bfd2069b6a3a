// The operation of the public graphql-gateways-benchmark (its k6.js `TestQuery`): users and top
// products, each nested through reviews, products and authors across all four subgraphs.
import { buildSchema, execute, parse, type GraphQLSchema } from 'graphql';
import {
  AUTHOR,
  INVENTORY,
  PRODUCTS,
  USERS,
  reviewsOfAnyUser,
  reviewsOfProduct,
  shippingEstimate,
  type Product,
  type Review,
} from '../subgraphs/data.js';

export const TEST_QUERY = /* GraphQL */ `
  fragment User on User {
    id
    username
    name
  }

  fragment Review on Review {
    id
    body
  }

  fragment Product on Product {
    inStock
    name
    price
    shippingEstimate
    upc
    weight
  }

  query TestQuery {
    users {
      ...User
      reviews {
        ...Review
        product {
          ...Product
          reviews {
            ...Review
            author {
              ...User
              reviews {
                ...Review
                product {
                  ...Product
                }
              }
            }
          }
        }
      }
    }
    topProducts {
      ...Product
      reviews {
        ...Review
        author {
          ...User
          reviews {
            ...Review
            product {
              ...Product
            }
          }
        }
      }
    }
  }
`;

export const TEST_QUERY_BODY = JSON.stringify({ query: TEST_QUERY, operationName: 'TestQuery' });

/**
 * The answer every gateway must give, worked out without any gateway: the same data and rules
 * as one plain (unfederated) schema, executed directly.
 */
export async function expectedTestQueryResponse(): Promise<{ data: Record<string, unknown> }> {
  const result = await execute({
    schema: monolith(),
    document: parse(TEST_QUERY),
    operationName: 'TestQuery',
  });
  if (result.errors?.length || !result.data)
    throw new Error(`expected answer failed: ${JSON.stringify(result.errors)}`);
  // Round-trip through JSON: plain objects, exactly what a gateway serialises.
  return JSON.parse(JSON.stringify({ data: result.data })) as { data: Record<string, unknown> };
}

function monolith(): GraphQLSchema {
  const schema = buildSchema(/* GraphQL */ `
    type Query {
      me: User
      user(id: ID!): User
      users: [User]
      topProducts(first: Int = 5): [Product]
    }
    type User {
      id: ID!
      name: String
      username: String
      birthday: Int
      reviews: [Review]
    }
    type Product {
      upc: String!
      name: String
      price: Int
      weight: Int
      inStock: Boolean
      shippingEstimate: Int
      reviews: [Review]
    }
    type Review {
      id: ID!
      body: String
      product: Product
      author: User
    }
  `);
  const inventory = (product: Product) => INVENTORY.find((item) => item.upc === product.upc);
  const fields = (type: string) => {
    const named = schema.getType(type);
    if (!named || !('getFields' in named)) throw new Error(type);
    return named.getFields() as Record<string, { resolve?: (...args: never[]) => unknown }>;
  };
  const resolve = (type: string, field: string, fn: (...args: never[]) => unknown) => {
    const definition = fields(type)[field];
    if (!definition) throw new Error(`${type}.${field}`);
    definition.resolve = fn;
  };
  resolve('Query', 'users', () => USERS);
  resolve('Query', 'topProducts', (_root: never, args: { first: number }) => PRODUCTS.slice(0, args.first));
  resolve('User', 'reviews', () => reviewsOfAnyUser());
  resolve('Review', 'product', (review: Review) => PRODUCTS.find((p) => p.upc === review.productUpc));
  resolve('Review', 'author', () => USERS.find((user) => user.id === AUTHOR.id));
  resolve('Product', 'inStock', (product: Product) => inventory(product)?.inStock ?? null);
  resolve('Product', 'shippingEstimate', (product: Product) => {
    const item = inventory(product);
    return item ? shippingEstimate(item) : null;
  });
  resolve('Product', 'reviews', (product: Product) => reviewsOfProduct(product.upc));
  return schema;
}
