/**
 * Prometheus metrics (prom-client), one registry per server so several servers can share a process.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from './protocol.js';

export interface Metrics {
  registry: Registry;
  connections: Gauge;
  rooms: Gauge;
  messages: Counter;
  joins: Counter;
  rejected: Counter<'code'>;
  /** Transport handshakes refused before a session exists, by reason. */
  transportRefusals: Counter<'reason'>;
  /** Connections dropped for not reading their output. */
  slowConsumers: Counter;
  /** Sockets disconnected for repeated invalid requests. */
  invalidDisconnects: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pagechat_' });
  return {
    registry,
    connections: new Gauge({
      name: 'pagechat_connections',
      help: 'Open Socket.IO connections across all sites',
      registers: [registry],
    }),
    rooms: new Gauge({
      name: 'pagechat_rooms',
      help: 'Rooms with at least one visitor',
      registers: [registry],
    }),
    messages: new Counter({
      name: 'pagechat_messages_total',
      help: 'Messages stored and broadcast',
      registers: [registry],
    }),
    joins: new Counter({
      name: 'pagechat_joins_total',
      help: 'Successful room joins',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'pagechat_rejected_total',
      help: 'Requests and connections answered with an error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    transportRefusals: new Counter({
      name: 'pagechat_transport_refusals_total',
      help: 'New connections refused at the transport handshake (server full, address limits)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'pagechat_slow_consumers_total',
      help: 'Connections dropped because their unsent output passed PAGECHAT_MAX_BUFFERED_BYTES',
      registers: [registry],
    }),
    invalidDisconnects: new Counter({
      name: 'pagechat_invalid_disconnects_total',
      help: 'Sockets disconnected for repeated invalid requests from their address',
      registers: [registry],
    }),
  };
}

export function countRejection(metrics: Metrics, code: ErrorCode): void {
  metrics.rejected.inc({ code });
}
