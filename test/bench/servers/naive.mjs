/**
 * Baseline for `storm`: the naive presence of the seed. Every join broadcasts the room's new count
 * to everyone in the room (and every leave to those who stay), with no coalescing, so a storm of N
 * joins costs N^2 / 2 frames. Same Socket.IO options as pagechat; namespace `/bench`; answers with
 * PROTOCOL.md's shapes so the same load drives it.
 *
 * Prints `{"msg":"listening","port":N}` on stdout, like pagechat's log line.
 */
import { createServer } from 'node:http';
import process from 'node:process';
import { Server } from 'socket.io';

const maxTextLength = 2000;
const http = createServer();
const io = new Server(http, {
  cors: { origin: '*', credentials: false },
  cleanupEmptyChildNamespaces: true,
  maxHttpBufferSize: Math.max(16_384, maxTextLength * 4 + 4096),
  serveClient: false,
  connectTimeout: 10_000,
});

const nsp = io.of('/bench');
const sizeOf = (/** @type {string} */ room) => nsp.adapter.rooms.get(room)?.size ?? 0;

nsp.on('connection', (socket) => {
  /** @type {string | null} */
  let current = null;
  const leave = () => {
    if (current === null) return;
    const room = current;
    current = null;
    void socket.leave(room);
    nsp.to(room).emit('presence', { room, count: sizeOf(room) });
  };

  socket.on('join', (payload, ack) => {
    const room = String(payload?.room);
    if (current !== room) {
      leave();
      current = room;
      void socket.join(room);
      nsp.to(room).emit('presence', { room, count: sizeOf(room) });
    }
    ack({ ok: true, room, count: sizeOf(room), welcome: '', history: [] });
  });

  socket.on('disconnect', leave);
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});

const stop = () => {
  io.close(() => process.exit(0));
  http.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
