/**
 * Configuration: typed defaults, and the one place the environment is read and validated.
 *
 * `loadConfig(process.env)` runs once at start-up; a bad value throws a `ConfigError` whose message
 * is one line naming the variable and what it accepts, which `main.ts` prints before exiting.
 * Tests build a config with `defineConfig({ ... })` and never touch the environment.
 */
import { z } from 'zod';
import { LIMITS, RESERVED_SITES, SITE_PATTERN } from './protocol.js';

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

export interface Config {
  /** TCP port; 0 picks a free one. @default 3000 */
  port: number;
  /** Interface to listen on; undefined listens on all of them. @default undefined */
  host: string | undefined;
  /** Folder for the SQLite history and the generated secret. @default './data' */
  dataDir: string;
  /** PostgreSQL URL for durable data; undefined keeps it in SQLite in `dataDir`. @default undefined */
  databaseUrl: string | undefined;
  /** HMAC key for visitor tokens; undefined generates one and keeps it in `dataDir`. @default undefined */
  secret: string | undefined;
  /** Greeting sent in every `join` ack. */
  welcome: string;
  /** Longest message text, in characters. @default 2000 */
  maxTextLength: number;
  /** Messages kept per room; older ones are pruned. @default 1000 */
  historyRetention: number;
  /** `PAGECHAT_SITES`: exactly these sites are served, claimed or not; undefined leaves it to claims and `openSites`. @default undefined */
  sites: readonly string[] | undefined;
  /** Serve unclaimed site names with default settings, as in v1. @default true */
  openSites: boolean;
  /** Whether anyone may claim an unclaimed name over HTTP (limited per client address). @default 'closed' */
  signup: 'open' | 'closed';
  /** Operator bearer token (at least 32 characters); undefined gives no operator HTTP access. @default undefined */
  adminToken: string | undefined;
  /** Reverse proxies in front, to take the client address from `X-Forwarded-For`. @default 0 */
  trustProxy: number;
  /**
   * Connections (Engine.IO sessions, one per browser tab) one client address may hold; sessions
   * that never reach a site count too. @default 100
   */
  maxConnectionsPerIp: number;
  /** Connections the whole process holds at most; more are refused at the handshake. @default 20000 */
  maxConnections: number;
  /** New connections (transport handshakes) per client address. @default { burst: 20, perSecond: 5 } */
  handshakeRate: RateLimit;
  /** Messages per client address, over all its visitors and rooms. @default { burst: 20, perSecond: 3 } */
  addressMessageRate: RateLimit;
  /** Messages per room, over all its visitors: the ceiling on how fast history moves. @default { burst: 30, perSecond: 5 } */
  roomMessageRate: RateLimit;
  /** Requests answered `invalid_payload` or `too_long` per client address before its socket is disconnected. @default { burst: 10, perSecond: 1 } */
  invalidRequestRate: RateLimit;
  /** Unsent output one connection may hold, in bytes; a slower reader is disconnected. @default 1048576 */
  maxBufferedBytes: number;
  /** Site claims one client address may make (signup open). @default { burst: 5, perSecond: 1 / 3600 } */
  claimRate: RateLimit;
  /** Failed credentials one client address may present before `rate_limited`. @default { burst: 10, perSecond: 0.1 } */
  authFailureRate: RateLimit;
  /** How often each process reads the change feed (settings, bans, keys made elsewhere), in ms. @default 1000 */
  changePollMs: number;
  /** Message sends per visitor. @default { burst: 10, perSecond: 1 } */
  messageRate: RateLimit;
  /** Display-name changes per visitor. @default { burst: 5, perSecond: 0.2 } */
  renameRate: RateLimit;
  /** Typing notices per visitor; excess notices are dropped silently. @default { burst: 10, perSecond: 2 } */
  typingRate: RateLimit;
  /** Room joins per visitor. @default { burst: 20, perSecond: 2 } */
  joinRate: RateLimit;
  /** Window over which `presence` broadcasts of one room are coalesced, in ms. @default 1000 */
  presenceWindowMs: number;
  /** Rooms with more visitors than this get no per-visitor `joined`/`left`. @default 50 */
  quietRoomSize: number;
  /**
   * Prometheus metrics: at `/metrics` for the operator token on the main port, and without a
   * token on `metricsPort` when set. @default true
   */
  metrics: boolean;
  /** A separate listener for `/metrics` alone, on `metricsHost`. @default undefined */
  metricsPort: number | undefined;
  /** Interface of the metrics listener. @default '127.0.0.1' */
  metricsHost: string;
  /** Serve the demo pages at `/`. @default true */
  demo: boolean;
  /** pino log level. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Milliseconds a shutdown may take before the process exits anyway. @default 5000 */
  shutdownTimeoutMs: number;
}

export const DEFAULT_WELCOME =
  'Welcome! Everyone on this page can read what you write here. Be kind.';

export const defaults = {
  port: 3000,
  host: undefined,
  dataDir: './data',
  databaseUrl: undefined,
  secret: undefined,
  welcome: DEFAULT_WELCOME,
  maxTextLength: LIMITS.textMax,
  historyRetention: 1000,
  sites: undefined,
  openSites: true,
  signup: 'closed',
  adminToken: undefined,
  trustProxy: 0,
  maxConnectionsPerIp: 100,
  maxConnections: 20_000,
  handshakeRate: { burst: 20, perSecond: 5 },
  addressMessageRate: { burst: 20, perSecond: 3 },
  roomMessageRate: { burst: 30, perSecond: 5 },
  invalidRequestRate: { burst: 10, perSecond: 1 },
  maxBufferedBytes: 1_048_576,
  claimRate: { burst: 5, perSecond: 1 / 3600 },
  authFailureRate: { burst: 10, perSecond: 0.1 },
  changePollMs: 1000,
  messageRate: { burst: 10, perSecond: 1 },
  renameRate: { burst: 5, perSecond: 0.2 },
  typingRate: { burst: 10, perSecond: 2 },
  joinRate: { burst: 20, perSecond: 2 },
  presenceWindowMs: 1000,
  quietRoomSize: 50,
  metrics: true,
  metricsPort: undefined,
  metricsHost: '127.0.0.1',
  demo: true,
  logLevel: 'info',
  shutdownTimeoutMs: 5000,
} satisfies Config;

/** Defaults merged with `overrides`, once. */
export function defineConfig(overrides: Partial<Config> = {}): Config {
  return { ...defaults, ...overrides };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** One variable: its name, what it accepts (for the error line), and its parser. */
interface Var<T> {
  name: string;
  accepts: string;
  schema: z.ZodType<T>;
  /** Never echo the value (secrets). */
  sensitive?: boolean;
}

const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

function read<T>(env: Env, v: Var<T>): T | undefined {
  const raw = env[v.name];
  if (raw === undefined || raw === '') return undefined;
  const parsed = v.schema.safeParse(raw.trim());
  if (!parsed.success) {
    const shown = v.sensitive ? '' : `=${JSON.stringify(raw)}`;
    throw new ConfigError(`${v.name}${shown} is invalid: expected ${v.accepts}`);
  }
  return parsed.data;
}

function rate(env: Env, prefix: string, fallback: RateLimit): RateLimit {
  const burst = read(env, {
    name: `${prefix}_BURST`,
    accepts: 'a whole number from 1 to 100000',
    schema: int(1, 100_000),
  });
  const perSecond = read(env, {
    name: `${prefix}_PER_SECOND`,
    accepts: 'a number from 0.001 to 100000',
    schema: decimal(0.001, 100_000),
  });
  return { burst: burst ?? fallback.burst, perSecond: perSecond ?? fallback.perSecond };
}

const siteList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .refine(
    (list) =>
      list.length > 0 && list.every((s) => SITE_PATTERN.test(s) && !RESERVED_SITES.includes(s)),
  );

/** Reads and validates every setting from `env`; throws `ConfigError` on the first bad value. */
export function loadConfig(env: Env): Config {
  const secret = read(env, {
    name: 'PAGECHAT_SECRET',
    accepts: 'at least 32 characters (for example `openssl rand -hex 32`)',
    schema: z.string().min(32),
    sensitive: true,
  });
  const sites = read(env, {
    name: 'PAGECHAT_SITES',
    accepts:
      'a comma-separated list of site names (a-z, 0-9 and -, 1 to 40 characters, not "admin")',
    schema: siteList,
  });
  const adminToken = read(env, {
    name: 'PAGECHAT_ADMIN_TOKEN',
    accepts: 'at least 32 characters (for example `openssl rand -hex 32`)',
    schema: z.string().min(32),
    sensitive: true,
  });
  const databaseUrl = read(env, {
    name: 'DATABASE_URL',
    accepts: 'a PostgreSQL URL (postgres://user:password@host:5432/database)',
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/),
    sensitive: true,
  });
  return defineConfig({
    adminToken,
    databaseUrl,
    openSites:
      read(env, { name: 'PAGECHAT_OPEN_SITES', accepts: 'true or false', schema: bool }) ??
      defaults.openSites,
    signup:
      read(env, {
        name: 'PAGECHAT_SIGNUP',
        accepts: 'open or closed',
        schema: z.enum(['open', 'closed']),
      }) ?? defaults.signup,
    trustProxy:
      read(env, {
        name: 'PAGECHAT_TRUST_PROXY',
        accepts: 'the number of reverse proxies in front, a whole number from 0 to 10',
        schema: int(0, 10),
      }) ?? defaults.trustProxy,
    maxConnectionsPerIp:
      read(env, {
        name: 'PAGECHAT_MAX_CONNECTIONS_PER_IP',
        accepts: 'a whole number from 1 to 1000000',
        schema: int(1, 1_000_000),
      }) ?? defaults.maxConnectionsPerIp,
    maxConnections:
      read(env, {
        name: 'PAGECHAT_MAX_CONNECTIONS',
        accepts: 'a whole number from 1 to 10000000',
        schema: int(1, 10_000_000),
      }) ?? defaults.maxConnections,
    handshakeRate: rate(env, 'PAGECHAT_HANDSHAKE_RATE', defaults.handshakeRate),
    addressMessageRate: rate(env, 'PAGECHAT_ADDRESS_MESSAGE_RATE', defaults.addressMessageRate),
    roomMessageRate: rate(env, 'PAGECHAT_ROOM_MESSAGE_RATE', defaults.roomMessageRate),
    invalidRequestRate: rate(env, 'PAGECHAT_INVALID_REQUEST_RATE', defaults.invalidRequestRate),
    maxBufferedBytes:
      read(env, {
        name: 'PAGECHAT_MAX_BUFFERED_BYTES',
        accepts: 'a whole number of bytes from 65536 to 1073741824',
        schema: int(65_536, 1_073_741_824),
      }) ?? defaults.maxBufferedBytes,
    port:
      read(env, {
        name: 'PORT',
        accepts: 'a port number from 0 to 65535',
        schema: int(0, 65535),
      }) ?? defaults.port,
    host: read(env, {
      name: 'HOST',
      accepts: 'a host name or IP address',
      schema: z.string().min(1),
    }),
    dataDir:
      read(env, {
        name: 'PAGECHAT_DATA_DIR',
        accepts: 'a folder path',
        schema: z.string().min(1),
      }) ?? defaults.dataDir,
    secret,
    welcome:
      read(env, {
        name: 'PAGECHAT_WELCOME',
        accepts: 'a greeting of at most 500 characters',
        schema: z.string().max(500),
      }) ?? defaults.welcome,
    maxTextLength:
      read(env, {
        name: 'PAGECHAT_MAX_TEXT_LENGTH',
        accepts: 'a whole number from 1 to 10000',
        schema: int(1, 10_000),
      }) ?? defaults.maxTextLength,
    historyRetention:
      read(env, {
        name: 'PAGECHAT_HISTORY_RETENTION',
        accepts: `a whole number from ${LIMITS.historyMax} to 1000000`,
        schema: int(LIMITS.historyMax, 1_000_000),
      }) ?? defaults.historyRetention,
    sites,
    messageRate: rate(env, 'PAGECHAT_MESSAGE_RATE', defaults.messageRate),
    renameRate: rate(env, 'PAGECHAT_RENAME_RATE', defaults.renameRate),
    typingRate: rate(env, 'PAGECHAT_TYPING_RATE', defaults.typingRate),
    joinRate: rate(env, 'PAGECHAT_JOIN_RATE', defaults.joinRate),
    presenceWindowMs:
      read(env, {
        name: 'PAGECHAT_PRESENCE_WINDOW_MS',
        accepts: 'a whole number of milliseconds from 0 to 1500',
        schema: int(0, 1500),
      }) ?? defaults.presenceWindowMs,
    quietRoomSize:
      read(env, {
        name: 'PAGECHAT_QUIET_ROOM_SIZE',
        accepts: 'a whole number from 0 to 1000000',
        schema: int(0, 1_000_000),
      }) ?? defaults.quietRoomSize,
    metrics:
      read(env, { name: 'PAGECHAT_METRICS', accepts: 'true or false', schema: bool }) ??
      defaults.metrics,
    metricsPort: read(env, {
      name: 'PAGECHAT_METRICS_PORT',
      accepts: 'a port number from 0 to 65535',
      schema: int(0, 65535),
    }),
    metricsHost:
      read(env, {
        name: 'PAGECHAT_METRICS_HOST',
        accepts: 'a host name or IP address',
        schema: z.string().min(1),
      }) ?? defaults.metricsHost,
    demo:
      read(env, { name: 'PAGECHAT_DEMO', accepts: 'true or false', schema: bool }) ?? defaults.demo,
    logLevel:
      read(env, {
        name: 'LOG_LEVEL',
        accepts: 'one of fatal, error, warn, info, debug, trace, silent',
        schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      }) ?? defaults.logLevel,
    shutdownTimeoutMs:
      read(env, {
        name: 'PAGECHAT_SHUTDOWN_TIMEOUT_MS',
        accepts: 'a whole number of milliseconds from 100 to 60000',
        schema: int(100, 60_000),
      }) ?? defaults.shutdownTimeoutMs,
  });
}
