/**
 * Bundles a Lambda entry point the way the stack deploys it: one minified
 * ESM file for Node 22 with every dependency inside (the AWS SDK included, so
 * Lambda runs the versions this lockfile pins, and loads one file instead of
 * hundreds at cold start).
 *
 *   tsx scripts/bundle.ts <entry.ts> <outdir>
 *
 * The CDK constructs call it as their local bundling step and the cold-start
 * benchmark measures its output, so what is measured is what is deployed.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * zod re-exports every locale's error messages (≈260 KB, a fifth of the
 * bundle) through `z.locales`; Conclave's messages are English. This resolves
 * zod's locale index to English only — `z.locales.en` still works.
 */
const englishOnlyZod: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /(^|\/)locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: resolve(args.resolveDir, args.path), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path.replace(/index\.js$/, 'en.js'))};`,
      loader: 'js',
      resolveDir: args.path.replace(/[\\/]index\.js$/, ''),
    }));
  },
};

/**
 * The MCP SDK's default JSON Schema validator is Ajv (≈150 KB), used only to
 * check elicitation answers, which Conclave never requests (tool arguments
 * and results are validated with zod). The bundle carries a stand-in that
 * fails loudly if anything ever asks it to validate.
 */
const noAjvInMcpSdk: Plugin = {
  name: 'mcp-sdk-without-ajv',
  setup(b) {
    b.onResolve({ filter: /ajvProvider-[\w-]+\.mjs$/ }, (args) =>
      /[\\/]@modelcontextprotocol[\\/]/.test(args.importer) ? { path: args.path, namespace: 'no-ajv' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-ajv' }, () => ({
      contents: [
        "const unavailable = () => { throw new Error('JSON Schema validation (elicitation) is not part of the Conclave Lambda bundle'); };",
        'export class n { getValidator() { return unavailable(); } }',
        'export const r = unavailable;',
        'export const t = unavailable;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * On Lambda, credentials are always in the environment (the execution role's
 * session). The SDK's default chain also carries SSO, INI-file, process,
 * web-identity and container providers with their own nested clients
 * (≈100 KB); the bundle resolves the chain to the environment provider only.
 */
const lambdaCredentialsOnly: Plugin = {
  name: 'lambda-credentials-only',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => ({ path: args.path, namespace: 'lambda-credentials' }));
    b.onLoad({ filter: /.*/, namespace: 'lambda-credentials' }, () => ({
      contents: "export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';",
      loader: 'js',
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    }));
  },
};

/**
 * The Bedrock runtime client also offers bearer-token (API key) auth, whose
 * token chain pulls in the SSO-OIDC client (≈20 KB). Conclave signs Bedrock
 * calls with the execution role (SigV4, the client's first scheme), so the
 * bundle's token providers report that no bearer token is configured.
 */
const noBedrockBearerTokens: Plugin = {
  name: 'no-bedrock-bearer-tokens',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/token-providers$/ }, (args) => ({ path: args.path, namespace: 'no-bearer-tokens' }));
    b.onLoad({ filter: /.*/, namespace: 'no-bearer-tokens' }, () => ({
      contents: [
        "const none = () => async () => { throw new Error('no bearer token: Conclave signs AWS calls with the execution role'); };",
        'export const fromEnvSigningName = none;',
        'export const nodeProvider = none;',
        'export const fromSso = none;',
        'export const fromStatic = none;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * Each AWS SDK client keeps its shapes in one `schemas_0.js` whose schema
 * literals use computed keys naming module constants (`{ [_h]: … }`); esbuild
 * cannot prove such a literal free of side effects, so it keeps every schema
 * of the service (the Bedrock runtime's Converse, Guardrail and async shapes
 * in a function that only calls InvokeModel). The plugin writes those keys
 * as the string literals the constants hold, which is the same object, and
 * the shapes no bundled command reaches are dropped.
 */
const shakableSdkSchemas: Plugin = {
  name: 'shakable-aws-sdk-schemas',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[\w-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const strings = new Map<string, string>();
      for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name!, literal!);
      return { contents: source.replace(/\[(_\w+)\]:/g, (key, name: string) => (strings.has(name) ? `[${strings.get(name)}]:` : key)), loader: 'js' };
    });
  },
};

/**
 * An AWS SDK client imports its whole package.json (≈2.5 KB each) for one
 * field, the version in its user agent; the bundle keeps that field only.
 */
const sdkVersionOnly: Plugin = {
  name: 'aws-sdk-version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/][\w-]+[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version: string };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * Event streams (ConverseStream, InvokeModelWithResponseStream, the
 * bidirectional stream) are the only users of the SDK's event-stream codec
 * (≈17 KB); Conclave calls InvokeModel and Converse, never a streaming
 * operation (the execution roles do not allow them either). The bundle's
 * codec and payload handler fail loudly if a streaming operation is ever sent.
 */
const noSdkEventStreams: Plugin = {
  name: 'no-aws-sdk-event-streams',
  setup(b) {
    b.onResolve({ filter: /^(@smithy\/core\/event-streams|@aws-sdk\/eventstream-handler-node)$/ }, (args) => ({ path: args.path, namespace: 'no-event-streams' }));
    b.onLoad({ filter: /.*/, namespace: 'no-event-streams' }, () => ({
      contents: [
        "const unavailable = () => { throw new Error('AWS event streams (streaming Bedrock operations) are not part of the Conclave Lambda bundles'); };",
        'class Unavailable { constructor() { unavailable(); } }',
        // As the SDK's resolver: the client config gets a marshaller, which fails only if a streaming operation uses it.
        'export const resolveEventStreamSerdeConfig = (input) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });',
        'export const eventStreamSerdeProvider = () => ({ serialize: unavailable, deserialize: unavailable });',
        'export const universalEventStreamSerdeProvider = eventStreamSerdeProvider;',
        'export const eventStreamPayloadHandlerProvider = () => ({ handle: unavailable });',
        'export { Unavailable as EventStreamSerde, Unavailable as EventStreamCodec, Unavailable as HeaderMarshaller, Unavailable as Int64, Unavailable as MessageDecoderStream, Unavailable as MessageEncoderStream, Unavailable as SmithyMessageDecoderStream, Unavailable as SmithyMessageEncoderStream, Unavailable as EventStreamMarshaller, Unavailable as UniversalEventStreamMarshaller };',
        'export { unavailable as readableStreamToIterable, unavailable as iterableToReadableStream, unavailable as getChunkedStream, unavailable as getUnmarshalledStream, unavailable as getMessageUnmarshaller };',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * DynamoDB's endpoint-discovery cache holds its entries in mnemonist's LRU
 * cache, which brings the library's iterator helpers along (≈7 KB). Endpoint
 * discovery is off for DynamoDB unless asked for (Conclave never does), so
 * the cache stays empty; the bundle's stand-in is a Map kept to the same
 * capacity, evicting the least recently used entry.
 */
const smallLruCache: Plugin = {
  name: 'small-lru-cache',
  setup(b) {
    b.onResolve({ filter: /^mnemonist\/lru-cache(\.js)?$/ }, (args) =>
      /[\\/]@aws-sdk[\\/]endpoint-cache[\\/]/.test(args.importer) ? { path: args.path, namespace: 'small-lru-cache' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'small-lru-cache' }, () => ({
      contents: [
        'export default class LRUCache {',
        '  constructor(capacity) { this.capacity = capacity; this.items = new Map(); }',
        '  has(key) { return this.items.has(key); }',
        '  peek(key) { return this.items.get(key); }',
        '  get(key) { if (!this.items.has(key)) return undefined; const value = this.items.get(key); this.items.delete(key); this.items.set(key, value); return value; }',
        '  set(key, value) { this.items.delete(key); this.items.set(key, value); if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value); return this; }',
        '  clear() { this.items.clear(); }',
        '  get size() { return this.items.size; }',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** The esbuild options of every Conclave Lambda bundle. */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    // The handler is `index.mjs`; modules it imports on demand (a role's tools) are chunks beside it, loaded when first used.
    outdir,
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    // ESM output still meets CommonJS dependencies that call require().
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    // Local-mode stand-ins, never imported by a handler; and bowser, which the SDK imports on demand to parse browser user agents only.
    external: ['dynalite', 'aws-local-stepfunctions', 'tsx', '@energetic-ai/*', 'bowser'],
    // Non-ASCII text (tool descriptions) as UTF-8 rather than \u escapes.
    charset: 'utf8',
    plugins: [englishOnlyZod, noAjvInMcpSdk, lambdaCredentialsOnly, noBedrockBearerTokens, shakableSdkSchemas, sdkVersionOnly, noSdkEventStreams, smallLruCache],
    metafile: true,
    logLevel: 'warning',
  };
}

/** Bundles `entry` into `outdir/index.mjs` (and its on-demand chunks under `outdir/chunks/`); returns esbuild's metafile. */
export async function bundleHandler(entry: string, outdir: string): Promise<Metafile> {
  await mkdir(outdir, { recursive: true });
  const result = await build(bundleOptions(entry, outdir));
  return result.metafile as Metafile;
}

/** What a bundle weighs: the handler file, and everything deployed with it (the handler plus every chunk). */
export function bundleSizes(metafile: Metafile): { handlerBytes: number; totalBytes: number; chunks: number } {
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const handler = outputs.find(([path]) => /(^|[\\/])index\.mjs$/.test(path));
  if (!handler) throw new Error('the bundle has no index.mjs');
  return {
    handlerBytes: handler[1].bytes,
    totalBytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0),
    chunks: outputs.length - 1,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write('usage: tsx scripts/bundle.ts <entry.ts> <outdir>\n');
    process.exit(2);
  }
  await bundleHandler(resolve(entry), resolve(outdir));
}
