import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '**/__generated__/**', 'sandbox/fixtures/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Upstream calls go through platform/http (timeouts, correlation headers, audit seams);
    // a subgraph's network access lives in its source.ts only.
    files: ['subgraphs/**/*.ts'],
    ignores: ['subgraphs/**/source.ts', 'subgraphs/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Call upstreams from source.ts only.' }],
      'no-restricted-imports': ['error', { paths: ['node:http', 'node:https', 'undici'] }],
    },
  },
);
