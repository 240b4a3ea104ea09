/**
 * The one place that touches Socket.IO internals, checked at start-up so an upgrade that changes
 * them fails loudly instead of leaking: refused dynamic namespaces are removed from the server's
 * namespace map and their parent's children, because Socket.IO only cleans up children that had a
 * socket (`cleanupEmptyChildNamespaces`), and probing random names would otherwise grow memory.
 */
import type { Namespace, Server } from 'socket.io';

interface Internals {
  _nsps: Map<string, Namespace>;
}
interface ParentInternals {
  children: Set<Namespace>;
}

/** Throws when the internals this module relies on are not there (tested on every start). */
export function checkInternals(io: Server, parent: object): void {
  const nsps = (io as unknown as Partial<Internals>)._nsps;
  const children = (parent as Partial<ParentInternals>).children;
  if (!(nsps instanceof Map) || !(children instanceof Set)) {
    throw new Error(
      'this socket.io version no longer has Server._nsps and ParentNamespace.children; update backend/realtime/internals.ts',
    );
  }
}

/** Removes a refused child namespace that no socket ever joined. */
export function dropNamespace(io: Server, parent: object, nsp: Namespace): void {
  if (nsp.sockets.size > 0) return;
  (io as unknown as Internals)._nsps.delete(nsp.name);
  (parent as ParentInternals).children.delete(nsp);
  void nsp.adapter.close();
}
