/**
 * The package's public API for people who embed the backend in their own Node.js process.
 */
export { startServer, type RunningServer, type ServerDeps } from './server.js';
export { defineConfig, loadConfig, ConfigError, type Config, type RateLimit } from './config.js';
export { createApp, type AppDeps } from './app.js';
export { SiteService, ApiError } from './sites/service.js';
export type * from './admin-protocol.js';
export type * from './protocol.js';
