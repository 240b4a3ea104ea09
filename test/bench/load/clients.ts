/**
 * Visitors for the load processes: one socket.io-client connection each (WebSocket only, no
 * multiplexing, no reconnection), opened with bounded concurrency, and the small request helpers
 * every scenario shares. The same code drives pagechat and the baseline servers, which answer with
 * the same shapes (PROTOCOL.md).
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  JoinResult,
  SendResult,
  ServerToClientEvents,
} from '../../../backend/protocol.js';
import type { CommonParams, LoadReply, LoadRequest } from '../lib/messages.js';

export type Visitor = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The IPC channel to the runner. */
export interface Control {
  /** Tells the runner a phase starts or ends and waits until it has sampled the server. */
  mark(name: string): Promise<void>;
  /** Resolves when the runner sends `type`. */
  waitFor(type: LoadRequest['type']): Promise<void>;
  /** Sends a reply; resolves once it is handed to the channel. */
  send(reply: LoadReply): Promise<void>;
}

export function ipcControl(): Control {
  const waiting = new Map<string, () => void>();
  process.on('message', (raw) => {
    const request = raw as LoadRequest;
    const key = request.type === 'marked' ? `marked:${request.name}` : request.type;
    const resolve = waiting.get(key);
    waiting.delete(key);
    resolve?.();
  });
  const send = (reply: LoadReply): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send) return resolve();
      process.send(reply, undefined, {}, () => resolve());
    });
  const waitFor = (key: string): Promise<void> =>
    new Promise((resolve) => {
      waiting.set(key, resolve);
    });
  return {
    send,
    waitFor,
    mark(name) {
      const marked = waitFor(`marked:${name}`);
      void send({ type: 'mark', name });
      return marked;
    },
  };
}

export interface Connected {
  sockets: Visitor[];
  failed: number;
  /** Wall time to open them all. */
  ms: number;
}

/**
 * Opens `count` visitors, `concurrency` handshakes at a time. `setup` runs on each socket before it
 * connects, so it sees every event from the first one.
 */
export async function connectVisitors(
  params: CommonParams,
  count: number,
  setup?: (socket: Visitor, index: number) => void,
): Promise<Connected> {
  const started = performance.now();
  const sockets: Visitor[] = [];
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const socket: Visitor = io(params.url + params.namespace, {
        transports: ['websocket'],
        forceNew: true,
        multiplex: false,
        reconnection: false,
        timeout: 30_000,
      });
      setup?.(socket, index);
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      });
      if (ok) sockets[index] = socket;
      else {
        failed++;
        socket.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, params.connectConcurrency) }, worker));
  return { sockets: sockets.filter(Boolean), failed, ms: performance.now() - started };
}

/** `join` with its ack; rejects on a failure answer or after `timeoutMs`. */
export async function join(socket: Visitor, room: string, timeoutMs = 60_000): Promise<JoinResult> {
  const answer = (await socket.timeout(timeoutMs).emitWithAck('join', { room })) as Ack<JoinResult>;
  if (!answer.ok) throw new Error(`join failed: ${answer.error.code} ${answer.error.message}`);
  return answer;
}

/** Joins every socket to `roomOf(index)`, `concurrency` requests at a time. */
export async function joinAll(
  sockets: Visitor[],
  roomOf: (index: number) => string,
  concurrency = 200,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sockets.length) {
      const index = next++;
      await join(sockets[index]!, roomOf(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(sockets.length, concurrency) }, worker));
}

/** `message:send` with a callback; `done` gets true on `{ ok: true }`. */
export function send(
  socket: Visitor,
  text: string,
  nonce: string | undefined,
  done: (ok: boolean, answer: Ack<SendResult> | undefined) => void,
): void {
  socket
    .timeout(30_000)
    .emit('message:send', nonce === undefined ? { text } : { text, nonce }, (error, answer) => {
      done(!error && answer.ok, error ? undefined : answer);
    });
}

/** Closes every socket. */
export function closeAll(sockets: Visitor[]): void {
  for (const socket of sockets) socket.close();
}

/** A chat-sized message text that carries a sequence number the receiver can read back. */
export function messageText(seq: number): string {
  return `${seq} hello from the benchmark, a message about as long as a typical chat line`;
}

/** The sequence number `messageText` embedded. */
export function sequenceOf(text: string): number {
  return Number.parseInt(text, 10);
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** CPU used by this process between two calls, as a percentage of one core over wall time. */
export function cpuMeter(): () => number {
  const startCpu = process.cpuUsage();
  const startWall = performance.now();
  return () => {
    const used = process.cpuUsage(startCpu);
    const wallUs = (performance.now() - startWall) * 1000;
    return Math.round(((used.user + used.system) / wallUs) * 1000) / 10;
  };
}
