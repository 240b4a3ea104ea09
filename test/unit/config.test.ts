/**
 * Configuration (backend/config.ts): typed defaults, overrides merged once, and environment
 * variables validated with a one-line error that names the variable and never echoes a secret.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, defineConfig, loadConfig } from '../../backend/config.js';
import { LIMITS } from '../../backend/protocol.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('defineConfig', () => {
  it('merges overrides over the defaults', () => {
    const config = defineConfig({ port: 0, welcome: 'Hi' });
    expect(config).toEqual({ ...defaults, port: 0, welcome: 'Hi' });
  });

  it('has the protocol defaults', () => {
    const config = defineConfig();
    expect(config.maxTextLength).toBe(LIMITS.textMax);
    expect(config.messageRate).toEqual({ burst: 10, perSecond: 1 });
    expect(config.presenceWindowMs).toBeLessThan(LIMITS.presenceConvergeMs);
  });
});

describe('loadConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(defaults);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      PAGECHAT_DATA_DIR: '/var/lib/pagechat',
      PAGECHAT_SECRET: 's'.repeat(32),
      PAGECHAT_SITES: 'acme, globex',
      PAGECHAT_WELCOME: 'Hello',
      PAGECHAT_MAX_TEXT_LENGTH: '500',
      PAGECHAT_HISTORY_RETENTION: '200',
      PAGECHAT_MESSAGE_RATE_BURST: '5',
      PAGECHAT_MESSAGE_RATE_PER_SECOND: '0.5',
      PAGECHAT_RENAME_RATE_BURST: '2',
      PAGECHAT_RENAME_RATE_PER_SECOND: '0.1',
      PAGECHAT_TYPING_RATE_BURST: '4',
      PAGECHAT_TYPING_RATE_PER_SECOND: '1',
      PAGECHAT_JOIN_RATE_BURST: '8',
      PAGECHAT_JOIN_RATE_PER_SECOND: '3',
      PAGECHAT_PRESENCE_WINDOW_MS: '250',
      PAGECHAT_QUIET_ROOM_SIZE: '20',
      PAGECHAT_METRICS: 'false',
      PAGECHAT_DEMO: '0',
      LOG_LEVEL: 'warn',
      PAGECHAT_SHUTDOWN_TIMEOUT_MS: '2000',
      PAGECHAT_OPEN_SITES: 'false',
      PAGECHAT_SIGNUP: 'open',
      PAGECHAT_ADMIN_TOKEN: 't'.repeat(40),
      PAGECHAT_TRUST_PROXY: '1',
      PAGECHAT_MAX_CONNECTIONS_PER_IP: '20',
      PAGECHAT_MAX_CONNECTIONS: '5000',
      PAGECHAT_HANDSHAKE_RATE_BURST: '7',
      PAGECHAT_HANDSHAKE_RATE_PER_SECOND: '2',
      PAGECHAT_ADDRESS_MESSAGE_RATE_BURST: '12',
      PAGECHAT_ADDRESS_MESSAGE_RATE_PER_SECOND: '1.5',
      PAGECHAT_ROOM_MESSAGE_RATE_BURST: '40',
      PAGECHAT_ROOM_MESSAGE_RATE_PER_SECOND: '8',
      PAGECHAT_INVALID_REQUEST_RATE_BURST: '3',
      PAGECHAT_INVALID_REQUEST_RATE_PER_SECOND: '0.5',
      PAGECHAT_MAX_BUFFERED_BYTES: '262144',
      PAGECHAT_METRICS_PORT: '9464',
      PAGECHAT_METRICS_HOST: '10.0.0.5',
    });
    expect(config).toEqual({
      ...defaults,
      openSites: false,
      signup: 'open',
      adminToken: 't'.repeat(40),
      trustProxy: 1,
      maxConnectionsPerIp: 20,
      maxConnections: 5000,
      handshakeRate: { burst: 7, perSecond: 2 },
      addressMessageRate: { burst: 12, perSecond: 1.5 },
      roomMessageRate: { burst: 40, perSecond: 8 },
      invalidRequestRate: { burst: 3, perSecond: 0.5 },
      maxBufferedBytes: 262_144,
      metricsPort: 9464,
      metricsHost: '10.0.0.5',
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/pagechat',
      secret: 's'.repeat(32),
      sites: ['acme', 'globex'],
      welcome: 'Hello',
      maxTextLength: 500,
      historyRetention: 200,
      messageRate: { burst: 5, perSecond: 0.5 },
      renameRate: { burst: 2, perSecond: 0.1 },
      typingRate: { burst: 4, perSecond: 1 },
      joinRate: { burst: 8, perSecond: 3 },
      presenceWindowMs: 250,
      quietRoomSize: 20,
      metrics: false,
      demo: false,
      logLevel: 'warn',
      shutdownTimeoutMs: 2000,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PAGECHAT_SITES', 'Bad_Name'],
    ['PAGECHAT_SITES', 'acme,admin'],
    ['PAGECHAT_SITES', ' , '],
    ['PAGECHAT_MAX_TEXT_LENGTH', '0'],
    ['PAGECHAT_HISTORY_RETENTION', '49'],
    ['PAGECHAT_MESSAGE_RATE_BURST', '0'],
    ['PAGECHAT_MESSAGE_RATE_PER_SECOND', 'fast'],
    ['PAGECHAT_PRESENCE_WINDOW_MS', '2000'],
    ['PAGECHAT_METRICS', 'yes'],
    ['PAGECHAT_METRICS_PORT', '70000'],
    ['PAGECHAT_MAX_CONNECTIONS', '0'],
    ['PAGECHAT_MAX_BUFFERED_BYTES', '1024'],
    ['PAGECHAT_ROOM_MESSAGE_RATE_BURST', '0'],
    ['PAGECHAT_HANDSHAKE_RATE_PER_SECOND', 'many'],
    ['LOG_LEVEL', 'verbose'],
    ['PAGECHAT_OPEN_SITES', 'maybe'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['PAGECHAT_SIGNUP', 'yes'],
    ['PAGECHAT_ADMIN_TOKEN', 'short'],
    ['PAGECHAT_TRUST_PROXY', '-1'],
    ['PAGECHAT_MAX_CONNECTIONS_PER_IP', '0'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a short secret without echoing it', () => {
    const error = configError({ PAGECHAT_SECRET: 'hunter2' });
    expect(error.message).toContain('PAGECHAT_SECRET');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a database URL without echoing it (it may hold a password)', () => {
    const error = configError({ DATABASE_URL: 'mysql://user:hunter2@db/chat' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a short operator token without echoing it', () => {
    const error = configError({ PAGECHAT_ADMIN_TOKEN: 'letmein' });
    expect(error.message).toContain('PAGECHAT_ADMIN_TOKEN');
    expect(error.message).not.toContain('letmein');
  });

  it('keeps the presence window short enough for the 2-second convergence rule', () => {
    // The largest accepted window still converges within the protocol's bound.
    const config = loadConfig({ PAGECHAT_PRESENCE_WINDOW_MS: '1500' });
    expect(config.presenceWindowMs).toBeLessThanOrEqual(LIMITS.presenceConvergeMs);
  });
});
