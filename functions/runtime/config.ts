import { z } from 'zod';
import { ENV } from '../contracts/env.js';

/** Raised at start-up when configuration is missing or invalid; names every problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const origins = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((o) => o.trim()).filter(Boolean));

const staleAfter = z.coerce.number().int().positive().default(300);
const authCache = z.coerce.number().min(0).max(300).default(2);

const awsSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.eventBusName]: z.string().min(1),
  [ENV.allowedOrigins]: origins,
  [ENV.staleAfterSeconds]: staleAfter,
  [ENV.authCacheSeconds]: authCache,
});

const localSchema = z.object({
  [ENV.port]: z.coerce.number().int().min(0).max(65535).default(8787),
  [ENV.dataDir]: z.string().min(1).default('.conclave'),
  [ENV.devKey]: z.string().min(1).optional(),
  [ENV.showKey]: z.enum(['0', '1', 'true', 'false']).optional(),
  [ENV.allowedOrigins]: origins,
  [ENV.staleAfterSeconds]: staleAfter,
  [ENV.authCacheSeconds]: authCache,
});

export interface AwsConfig {
  readonly tableName: string;
  readonly eventBusName: string;
  readonly allowedOrigins: string[];
  readonly staleAfterMs: number;
  readonly authCacheMs: number;
}

export interface LocalConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly devKey: string | undefined;
  /** Print the dev key and client commands on every start, not only the first. */
  readonly showKey: boolean;
  readonly allowedOrigins: string[];
  readonly staleAfterMs: number;
  readonly authCacheMs: number;
}

/** Local browser clients (MCP Inspector's UI) may call a local server. */
const LOCAL_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

function parse<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return result.data;
}

/** Reads the Lambda configuration once; fails fast naming what is missing. */
export function loadAwsConfig(env: Record<string, string | undefined> = process.env): AwsConfig {
  const c = parse(awsSchema, env);
  return {
    tableName: c[ENV.tableName],
    eventBusName: c[ENV.eventBusName],
    allowedOrigins: c[ENV.allowedOrigins],
    staleAfterMs: c[ENV.staleAfterSeconds] * 1000,
    authCacheMs: c[ENV.authCacheSeconds] * 1000,
  };
}

/** Reads the local-server configuration once (SPEC "Local run contract"). */
export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const c = parse(localSchema, env);
  return {
    port: c[ENV.port],
    dataDir: c[ENV.dataDir],
    devKey: c[ENV.devKey],
    showKey: c[ENV.showKey] === '1' || c[ENV.showKey] === 'true',
    allowedOrigins: [...LOCAL_ORIGINS, ...c[ENV.allowedOrigins]],
    staleAfterMs: c[ENV.staleAfterSeconds] * 1000,
    authCacheMs: c[ENV.authCacheSeconds] * 1000,
  };
}
