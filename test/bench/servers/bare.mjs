/**
 * Baseline for `fanout` and `capacity`: a bare Socket.IO server doing the minimum equivalent work.
 * Namespace `/bench`; `join` joins the room and acks; `message:send` builds a message of the same
 * shape as pagechat's and relays it with `socket.to(room).emit('message', ...)`, then acks. No
 * validation, no storage, no presence. The Server options match pagechat's (server.ts) so the
 * comparison is fair; `BARE_DROP_REQUEST=1` also drops the upgrade request as pagechat does.
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

if (process.env.BARE_DROP_REQUEST === '1') {
  io.engine.on('connection', (/** @type {{ request?: unknown }} */ rawSocket) => {
    rawSocket.request = undefined;
  });
}

const nsp = io.of('/bench');
let visitors = 0;
let messages = 0;

nsp.on('connection', (socket) => {
  const visitor = { id: `visitor-${++visitors}`, name: `Visitor ${visitors}` };
  /** @type {string | null} */
  let current = null;

  socket.on('join', (payload, ack) => {
    const room = String(payload?.room);
    if (current !== null && current !== room) void socket.leave(current);
    current = room;
    void socket.join(room);
    const count = nsp.adapter.rooms.get(room)?.size ?? 0;
    ack({ ok: true, room, count, welcome: '', history: [] });
  });

  socket.on('message:send', (payload, ack) => {
    if (current === null) {
      ack({ ok: false, error: { code: 'not_joined', message: 'join a room first' } });
      return;
    }
    const message = {
      id: `m${++messages}`,
      room: current,
      visitor,
      text: String(payload?.text),
      ts: Date.now(),
    };
    socket.to(current).emit('message', message);
    ack({ ok: true, message });
  });
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
