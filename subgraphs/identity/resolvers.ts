import type { Resolvers } from './__generated__/resolvers-types.js';
import { toMe } from './mapping.js';

export const resolvers: Resolvers = {
  Query: {
    me: (_root, _args, { principal }) => toMe(principal),
  },
};
