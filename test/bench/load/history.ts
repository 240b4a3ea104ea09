/**
 * Load side of `history`: many rooms, every visitor a sender keeping a bounded number of
 * `message:send` requests in flight (each validated, stored, acknowledged and broadcast to the
 * others in its room). After a warm-up, counts the acks received in each of several back-to-back
 * windows of fixed length.
 */
import type { HistoryParams, HistoryResult, HistoryRound } from '../lib/messages.js';
import { Samples } from '../lib/stats.js';
import {
  connectVisitors,
  cpuMeter,
  joinAll,
  messageText,
  send,
  sleep,
  type Control,
  type Visitor,
} from './clients.js';

interface Window {
  acked: number;
  failed: number;
  delivered: number;
  ackLatency: Samples;
}

export async function history(params: HistoryParams, ctl: Control): Promise<HistoryResult> {
  let current: Window | undefined;
  const connected = await connectVisitors(params, params.rooms * params.perRoom, (socket) => {
    socket.on('message', () => {
      if (current) current.delivered++;
    });
  });
  if (connected.failed > 0) throw new Error(`${connected.failed} connections failed`);
  await joinAll(connected.sockets, (index) => `/history/${Math.floor(index / params.perRoom)}`);
  await sleep(300);

  let running = true;
  let outstanding = 0;
  let seq = 0;
  const pump = (socket: Visitor): void => {
    if (!running) return;
    const s = seq++;
    const at = performance.now();
    outstanding++;
    send(socket, messageText(s), params.nonce ? `h${s}` : undefined, (ok) => {
      outstanding--;
      const window = current;
      if (window) {
        if (ok) {
          window.acked++;
          window.ackLatency.push(performance.now() - at);
        } else window.failed++;
      }
      pump(socket);
    });
  };
  for (const socket of connected.sockets) for (let i = 0; i < params.inFlight; i++) pump(socket);
  await sleep(params.warmupMs);

  const cpu = cpuMeter();
  await ctl.mark('send:start');
  const rounds: HistoryRound[] = [];
  for (let r = 0; r < params.rounds; r++) {
    const window: Window = { acked: 0, failed: 0, delivered: 0, ackLatency: new Samples() };
    await ctl.mark(`round${r}:start`);
    current = window;
    const opened = performance.now();
    await sleep(params.roundMs);
    current = undefined;
    const ms = performance.now() - opened;
    await ctl.mark(`round${r}:end`);
    rounds.push({
      acked: window.acked,
      failed: window.failed,
      messagesPerSec: Math.round((window.acked / ms) * 1000),
      delivered: window.delivered,
      ackLatency: window.ackLatency.summary(),
    });
  }
  await ctl.mark('send:end');
  const loadCpuPercent = cpu();
  running = false;
  const deadline = performance.now() + 10_000;
  while (outstanding > 0 && performance.now() < deadline) await sleep(20);
  return { kind: 'history', connectMs: Math.round(connected.ms), rounds, loadCpuPercent };
}
