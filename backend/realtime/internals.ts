/**
 * The one place that touches Socket.IO internals, checked at start-up so an upgrade that changes
 * them fails loudly instead of leaking: refused dynamic namespaces are removed from the server's
 * namespace map and their parent's children, because Socket.IO only cleans up children that had a
 * socket (`cleanupEmptyChildNamespaces`), and probing random names would otherwise grow memory;
 * and a connection's unsent output is measured and dropped (Engine.IO keeps it in `writeBuffer`).
 */
import type { Namespace, Server } from 'socket.io';
import type { ChatSocket } from './types.js';

interface Internals {
  _nsps: Map<string, Namespace>;
}
interface NamespaceInternals {
  /** Sockets still in the namespace's middleware. */
  _preConnectSockets: Map<string, unknown>;
}
interface ParentInternals {
  children: Set<Namespace>;
}

/** Throws when the internals this module relies on are not there (tested on every start). */
export function checkInternals(io: Server, parent: object): void {
  const nsps = (io as unknown as Partial<Internals>)._nsps;
  const children = (parent as Partial<ParentInternals>).children;
  const preConnect = (parent as Partial<NamespaceInternals>)._preConnectSockets;
  if (!(nsps instanceof Map) || !(children instanceof Set) || !(preConnect instanceof Map)) {
    throw new Error(
      'this socket.io version no longer has Server._nsps, ParentNamespace.children and Namespace._preConnectSockets; update backend/realtime/internals.ts',
    );
  }
}

/**
 * Removes a child namespace whose handshake was just refused, once Socket.IO has let go of the
 * refused socket (it does so on the next tick), unless another socket connected to it or is still
 * in its middleware.
 */
export function dropNamespace(io: Server, parent: object, nsp: Namespace): void {
  process.nextTick(() => {
    const preConnect = (nsp as unknown as NamespaceInternals)._preConnectSockets;
    if (nsp.sockets.size > 0 || preConnect.size > 0) return;
    if ((io as unknown as Internals)._nsps.get(nsp.name) !== nsp) return;
    (io as unknown as Internals)._nsps.delete(nsp.name);
    (parent as ParentInternals).children.delete(nsp);
    void nsp.adapter.close();
  });
}

/** An Engine.IO connection (one per browser tab), under its Socket.IO client. */
export type EngineConnection = ChatSocket['conn'];

interface ConnectionInternals {
  writeBuffer: { data?: unknown }[];
  transport: {
    name: string;
    socket?: {
      bufferedAmount?: number;
      readyState?: number;
      pause?: () => void;
      terminate?: () => void;
    };
  };
}

const connectionInternals = (conn: EngineConnection) => conn as unknown as ConnectionInternals;

/** Every open Engine.IO connection of the server, by id (`clients` is protected in its types). */
export function engineConnections(io: Server): Record<string, EngineConnection> {
  return (io.engine as unknown as { clients: Record<string, EngineConnection> }).clients;
}

/** Packets queued on a connection and not yet handed to its transport. */
export function queuedPackets(conn: EngineConnection): number {
  return connectionInternals(conn).writeBuffer.length;
}

/** Bytes a connection's WebSocket holds (0 for long-polling, which queues in `writeBuffer`). */
export function socketBuffered(conn: EngineConnection): number {
  return connectionInternals(conn).transport.socket?.bufferedAmount ?? 0;
}

/** Bytes a connection holds for its client: queued packets and what its WebSocket buffers. */
export function unsentBytes(conn: EngineConnection): number {
  const { writeBuffer, transport } = connectionInternals(conn);
  let bytes = transport.socket?.bufferedAmount ?? 0;
  for (const { data } of writeBuffer) {
    if (typeof data === 'string') bytes += Buffer.byteLength(data);
    else if (data instanceof Uint8Array || data instanceof ArrayBuffer) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Closes a connection at once, discarding what it has not sent: Engine.IO's `close(true)` drops the
 * queue, and a WebSocket is terminated rather than closed, since a polite close would wait behind
 * the very bytes the client does not read.
 */
export function dropConnection(conn: EngineConnection): void {
  const { transport } = connectionInternals(conn);
  conn.close(true);
  if (transport.name === 'websocket') transport.socket?.terminate?.();
}

/** WebSocket's CLOSED ready state. */
const WS_CLOSED = 3;

/**
 * Stops reading a closed connection's WebSocket and ends it after `graceMs` if its closing
 * handshake has not finished: the `ws` library would otherwise read (and discard) what the client
 * still sends for 30 s, which a client with a backlog of frames turns into work for the server.
 * What the server sent still goes out meanwhile; only reading stops.
 */
export function finishClose(conn: EngineConnection, graceMs: number): void {
  const { transport } = connectionInternals(conn);
  const ws = transport.name === 'websocket' ? transport.socket : undefined;
  if (!ws || ws.readyState === WS_CLOSED) return;
  ws.pause?.();
  setTimeout(() => ws.terminate?.(), graceMs).unref();
}

/** Throws when a connection lacks what `unsentBytes` reads (checked on the first connection). */
export function checkConnectionInternals(conn: EngineConnection): void {
  const { writeBuffer, transport } = connectionInternals(conn);
  if (!Array.isArray(writeBuffer) || typeof transport?.name !== 'string') {
    throw new Error(
      'this engine.io version no longer has Socket.writeBuffer and Socket.transport; update backend/realtime/internals.ts',
    );
  }
}
