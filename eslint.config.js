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

/**
 * Raw reads of a stored item's fields: `String(item.x)`, `Number(item.x)`,
 * `String(item[name])`, `String(item.x ?? '')`, `Number(item?.x)`. In the core
 * a stored item is read through its entity's codec (functions/core/fields.ts
 * readers refuse a malformed item instead of coercing it); only codec files
 * may touch raw attributes.
 */
const RAW_FIELD_READ_MESSAGE = 'functions/core reads stored items through their codec (typed records, functions/core/fields.ts), not String()/Number() on a raw field';
const RAW_FIELD_READS = ['String', 'Number'].flatMap((fn) => [
  { selector: `CallExpression[callee.type='Identifier'][callee.name='${fn}'][arguments.0.type='MemberExpression'][arguments.0.computed=false]`, message: RAW_FIELD_READ_MESSAGE },
  { selector: `CallExpression[callee.type='Identifier'][callee.name='${fn}'][arguments.0.type='MemberExpression'][arguments.0.computed=true][arguments.0.property.type='Identifier']`, message: RAW_FIELD_READ_MESSAGE },
  { selector: `CallExpression[callee.type='Identifier'][callee.name='${fn}'][arguments.0.type='MemberExpression'][arguments.0.property.type='Literal'][arguments.0.property.raw=/^['"]/]`, message: RAW_FIELD_READ_MESSAGE },
  { selector: `CallExpression[callee.type='Identifier'][callee.name='${fn}'][arguments.0.type='ChainExpression']`, message: RAW_FIELD_READ_MESSAGE },
  { selector: `CallExpression[callee.type='Identifier'][callee.name='${fn}'][arguments.0.type='LogicalExpression'][arguments.0.left.type=/^(MemberExpression|ChainExpression)$/]`, message: RAW_FIELD_READ_MESSAGE },
]);

// esbuild keeps every export of a namespace imported by name: `{ z }` puts all of zod (≈100 KB more) in each Lambda bundle.
const ZOD_NAMED_IMPORT = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "import * as z from 'zod' (a named `z` import defeats tree shaking in the Lambda bundles)",
};

/** The codec files: the only places in the core that read a stored item's raw attributes. */
const CODEC_FILES = ['functions/core/fields.ts', 'functions/core/versioned.ts', 'functions/core/**/*-record.ts', 'functions/core/**/records.ts'];

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
      'no-restricted-syntax': ['error', ZOD_NAMED_IMPORT],
    },
  },
  {
    // After the block above: a rule configured again replaces it, so this one repeats the zod selector.
    files: ['functions/core/**/*.ts'],
    ignores: CODEC_FILES,
    rules: { 'no-restricted-syntax': ['error', ZOD_NAMED_IMPORT, ...RAW_FIELD_READS] },
  },
);
