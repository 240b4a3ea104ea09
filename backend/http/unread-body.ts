/**
 * A response sent before its request's body was read closes the connection. Node otherwise reads
 * and discards the rest of the body to keep the connection alive, so a client could stream an
 * endless chunked body to a path that already answered 400 and keep the server reading it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A `request` listener, registered before any other, that arranges the close. */
export function closeUnreadBodies(req: IncomingMessage, res: ServerResponse): void {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
  if (!hasBody || req.complete) return;
  const writeHead = res.writeHead;
  // Every response passes through writeHead (an implicit one too), right before its headers go out.
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
