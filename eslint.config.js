import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '**/__generated__/**',
      'sandbox/fixtures/**',
      'bench/results/**',
      'eslint.config.js',
      'jest.config.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Upstream calls go through platform/http (timeouts, correlation headers, audit seams), and
    // a subgraph calls out from its source.ts only; server.ts may build the client, not call it.
    files: ['subgraphs/**/*.ts'],
    ignores: ['subgraphs/**/source.ts', 'subgraphs/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Call upstreams from source.ts only.' }],
      'no-restricted-imports': ['error', { paths: ['node:http', 'node:https', 'undici'] }],
    },
  },
  {
    files: ['subgraphs/**/*.ts'],
    ignores: ['subgraphs/**/source.ts', 'subgraphs/**/server.ts', 'subgraphs/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:http', 'node:https', 'undici'],
          patterns: [
            {
              group: ['**/platform/http.js'],
              allowTypeImports: true,
              message: 'Only source.ts calls upstreams.',
            },
          ],
        },
      ],
    },
  },
);
