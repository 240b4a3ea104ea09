/**
 * Process entry point (`npm start`): reads the configuration from the environment, starts the
 * server, and shuts it down gracefully on SIGTERM or SIGINT.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { startServer } from './server.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`pagechat: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

// Signals are handled from the first moment, so a stop during start-up is graceful too.
const starting = startServer(config);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => {
    process.stderr.write(
      `pagechat: shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`,
    );
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  starting
    .then((server) => server.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`pagechat: shutdown failed after ${signal}: ${String(error)}\n`);
        process.exit(1);
      },
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
  await starting;
} catch (error) {
  process.stderr.write(
    `pagechat: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
