/**
 * Load for `abuse`: one attacker, from one client address, running one of the floods issue 8
 * found for `durationMs`, as fast as the server lets it. It counts what the server let through;
 * the runner measures the server's memory and a legitimate visitor's acks meanwhile.
 */
import { request, Agent } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import type { AbuseParams, AbuseResult } from '../lib/messages.js';
import type { Visitor } from './clients.js';

type Counts = Record<string, number>;

export async function abuse(params: AbuseParams): Promise<AbuseResult> {
  const counts: Counts = {};
  const count = (name: string, n = 1) => (counts[name] = (counts[name] ?? 0) + n);
  const until = Date.now() + params.durationMs;
  const running = () => Date.now() < until;
  const attack = ATTACKS[params.attack];
  await attack(params, count, running);
  return { attack: params.attack, counts };
}

type Attack = (
  p: AbuseParams,
  count: (name: string, n?: number) => void,
  running: () => boolean,
) => Promise<void>;

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;

/** A raw Engine.IO WebSocket that answers pings; resolves once open (or undefined if refused). */
function rawSession(p: AbuseParams): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(p.url), { localAddress: p.address });
    ws.on('message', (data) => {
      if (data.toString() === '2') ws.send('3');
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(undefined));
    ws.once('unexpected-response', () => {
      ws.terminate();
      resolve(undefined);
    });
  });
}

/** Sends a Socket.IO CONNECT to the site and waits for its answer (sending events before it would
 * get the connection closed by Socket.IO itself, which is not the flood being measured). */
function connectSite(ws: WebSocket, site: string): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (text.startsWith(`40/${site},`)) done(true);
      else if (text.startsWith(`44/${site},`)) done(false);
    };
    const onClose = () => done(false);
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(`40/${site},{}`);
  });
}

function closed(ws: WebSocket): Promise<void> {
  return ws.readyState === WebSocket.CLOSED
    ? Promise.resolve()
    : new Promise((resolve) => ws.once('close', () => resolve()));
}

/** socket.io-client visitor from the attacker's address, with no token: a new identity each time. */
function identity(p: AbuseParams): Promise<Visitor | undefined> {
  return new Promise((resolve) => {
    const socket: Visitor = io(`${p.url}/${p.site}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...({ localAddress: p.address } as object),
    });
    socket.once('session', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(undefined);
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connect without a token, send 11, disconnect, repeat; 8 at once (the churn). */
const churn: Attack = async (p, count, running) => {
  await Promise.all(
    Array.from({ length: 8 }, (_, w) => churnInto(p, `/churn-${w % 2}`, 200, count, running)),
  );
};

/**
 * A raw session from the attacker's address once one is allowed (refusals counted), or undefined
 * when the flood's time is up.
 */
async function nextSession(
  p: AbuseParams,
  count: (name: string, n?: number) => void,
  running: () => boolean,
): Promise<WebSocket | undefined> {
  while (running()) {
    const ws = await rawSession(p);
    if (ws) return ws;
    count('sessions refused');
    await pause(20);
  }
  return undefined;
}

/** 16 keep-alive workers sending bare polling handshakes. */
const handshakes: Attack = async (p, count, running) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, localAddress: p.address });
  const one = () =>
    new Promise<number>((resolve) => {
      const req = request(`${p.url}/socket.io/?EIO=4&transport=polling`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (running()) {
        const status = await one();
        count(status === 200 ? 'sessions opened' : status === 0 ? 'errors' : `answered ${status}`);
      }
    }),
  );
  agent.destroy();
};

/** Namespace after namespace on one WebSocket; a new one when the server closes it. */
const namespaces: Attack = async (p, count, running) => {
  const worker = async (w: number) => {
    let n = 0;
    for (
      let ws = await nextSession(p, count, running);
      ws;
      ws = await nextSession(p, count, running)
    ) {
      count('sessions');
      const done = closed(ws);
      while (running() && ws.readyState === WebSocket.OPEN) {
        for (let i = 0; i < 100 && ws.readyState === WebSocket.OPEN; i++) {
          ws.send(`40/ns-${w}-${n++},{}`);
          count('namespace requests');
        }
        await pause(1);
      }
      ws.terminate();
      await done;
    }
  };
  await Promise.all(Array.from({ length: 4 }, (_, w) => worker(w)));
};

/**
 * 80 readers that stop reading while the room is flooded with long messages and they keep asking
 * for its history (each `join` ack carries up to 50 messages).
 */
const slowReaders: Attack = async (p, count, running) => {
  const room = '/flooded';
  const readers: WebSocket[] = [];
  const opening = (async () => {
    while (readers.length < 80) {
      const ws = await nextSession(p, count, running);
      if (!ws) break;
      if (!(await connectSite(ws, p.site))) {
        ws.terminate();
        continue;
      }
      ws.send(`42/${p.site},1["join",{"room":"${room}"}]`);
      ws.pause();
      readers.push(ws);
      count('readers');
    }
  })();
  const flooding = churnInto(p, room, 2000, count, running);
  let id = 2;
  while (running()) {
    for (const ws of readers) {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(`42/${p.site},${id++}["join",{"room":"${room}"}]`);
    }
    await pause(100);
  }
  await Promise.all([opening, flooding]);
  count(
    'readers dropped by the server',
    readers.filter((ws) => ws.readyState !== WebSocket.OPEN).length,
  );
  for (const ws of readers) ws.terminate();
};

async function churnInto(
  p: AbuseParams,
  room: string,
  length: number,
  count: (name: string, n?: number) => void,
  running: () => boolean,
): Promise<void> {
  while (running()) {
    const socket = await identity(p);
    if (!socket) {
      count('handshakes refused');
      await pause(20);
      continue;
    }
    count('identities');
    const joined = await socket
      .timeout(5000)
      .emitWithAck('join', { room })
      .catch(() => undefined);
    if (joined?.ok) {
      const acks = await Promise.all(
        Array.from({ length: 11 }, (_, i) =>
          socket
            .timeout(5000)
            .emitWithAck('message:send', { text: `${i} `.padEnd(length, 'y') })
            .catch(() => undefined),
        ),
      );
      for (const ack of acks) count(ack?.ok ? 'messages accepted' : 'messages refused');
    }
    socket.close();
  }
}

/** 15 KB invalid joins as fast as the socket is kept, and endless chunked POSTs to the handshake path. */
const invalid: Attack = async (p, count, running) => {
  const room = 'x'.repeat(15_000);
  const joins = async () => {
    for (
      let ws = await nextSession(p, count, running);
      ws;
      ws = await nextSession(p, count, running)
    ) {
      const done = closed(ws);
      if (!(await connectSite(ws, p.site))) ws.terminate();
      let id = 1;
      while (running() && ws.readyState === WebSocket.OPEN) {
        for (let i = 0; i < 50 && ws.readyState === WebSocket.OPEN; i++) {
          ws.send(`42/${p.site},${id++}["join",{"room":"${room}","n":${i}}]`);
          count('invalid joins sent');
        }
        await pause(1);
      }
      ws.terminate();
      await done;
      count('sockets disconnected');
    }
  };
  const bodies = async () => {
    const { hostname, port } = new URL(p.url);
    const chunk = `4000\r\n${'{'.repeat(0x4000)}\r\n`;
    while (running()) {
      const socket = tcpConnect({ host: hostname, port: Number(port), localAddress: p.address });
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(
        'POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const pump = () => {
        if (socket.destroyed || !running()) return socket.destroy();
        count('body bytes sent', chunk.length);
        socket.write(chunk, () => setImmediate(pump));
      };
      pump();
      await done;
      count('bodies cut off');
    }
  };
  await Promise.all([joins(), joins(), joins(), joins(), bodies(), bodies()]);
};

const ATTACKS: Record<AbuseParams['attack'], Attack> = {
  churn,
  handshakes,
  namespaces,
  'slow-readers': slowReaders,
  invalid,
};
