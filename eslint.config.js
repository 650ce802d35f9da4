// @ts-check
import tseslint from 'typescript-eslint';

/** Imports the domain core must never make: it sees only ports and contracts. */
const CORE_FORBIDDEN = [
  { group: ['@aws-sdk/*', 'aws-lambda', '@types/aws-lambda', '@middy/*', '@aws-lambda-powertools/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'dynalite', 'aws-local-stepfunctions', '@modelcontextprotocol/*'], message: 'functions/core is pure: use a port (functions/ports) instead.' },
  { group: ['**/adapters/**', '**/runtime/**', '**/handlers/**', '**/mcp/**', '../../lib/**', '../lib/**'], message: 'functions/core may import only ports, contracts and core modules.' },
];

/** Imports an adapter must never make: it implements a port and sees only ports and contracts (and its SDK). */
const ADAPTER_FORBIDDEN = [
  { group: ['**/core/**', '**/runtime/**', '**/handlers/**', '**/mcp/**', '../../lib/**', '../lib/**'], message: 'functions/adapters import only ports and contracts (errors adapters raise live in functions/ports/errors.ts).' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.conclave/', '.bench/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['functions/core/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: CORE_FORBIDDEN }] },
  },
  {
    files: ['functions/adapters/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: ADAPTER_FORBIDDEN }] },
  },
  {
    files: ['functions/**/*.ts'],
    ignores: ['functions/runtime/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration in functions/runtime/config.ts only' }],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/lib/**', '../../lib/*'], message: 'runtime never imports lib/ (CDK)' }],
        },
      ],
      // esbuild keeps every export of a namespace imported by name: `{ z }` puts all of zod (≈100 KB more) in each Lambda bundle.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod' (a named `z` import defeats tree shaking in the Lambda bundles)",
        },
      ],
    },
  },
);
