/**
 * Load side of `latency`: R rooms of V visitors, every room chatting at once at a steady rate. Each
 * room sends one message every `intervalMs` from a rotating sender (open loop: the schedule does not
 * wait for acks), and every other visitor of the room timestamps its delivery. After a warm-up, the
 * run is cut into rounds of equal length, each summarised on its own, so a burst of noise from
 * another process on the machine spoils one round rather than the figure.
 */
import type { LatencyParams, LatencyResult, LatencyRound } from '../lib/messages.js';
import { Samples } from '../lib/stats.js';
import {
  connectVisitors,
  cpuMeter,
  joinAll,
  messageText,
  send,
  sequenceOf,
  sleep,
  type Control,
} from './clients.js';

interface RoundState {
  sent: number;
  delivered: number;
  expected: number;
  latency: Samples;
  ackLatency: Samples;
  schedulerLag: Samples;
}

export async function latency(params: LatencyParams, ctl: Control): Promise<LatencyResult> {
  const { rooms, perRoom, intervalMs } = params;
  const totalMs = params.warmupMs + params.rounds * params.roundMs;
  const capacity = Math.ceil(totalMs / intervalMs + 2) * rooms;
  const sentAt = new Float64Array(capacity);
  /** Round of each message, plus one; 0 for warm-up messages, which are not measured. */
  const roundOf = new Uint8Array(capacity);
  const rounds: RoundState[] = Array.from({ length: params.rounds }, () => ({
    sent: 0,
    delivered: 0,
    expected: 0,
    latency: new Samples(),
    ackLatency: new Samples(),
    schedulerLag: new Samples(),
  }));

  const connected = await connectVisitors(params, rooms * perRoom, (socket) => {
    socket.on('message', (m) => {
      const seq = sequenceOf(m.text);
      const round = rounds[roundOf[seq]! - 1];
      if (!round) return;
      round.delivered++;
      round.latency.push(performance.now() - sentAt[seq]!);
    });
  });
  if (connected.failed > 0) throw new Error(`${connected.failed} connections failed`);
  const sockets = connected.sockets;
  await joinAll(sockets, (index) => `/room/${Math.floor(index / perRoom)}`);
  await sleep(params.settleMs);

  const cpu = cpuMeter();
  await ctl.mark('chat:start');
  const start = performance.now();
  const measureFrom = start + params.warmupMs;
  const end = start + totalMs;
  // Rooms are spread evenly over the interval rather than all firing on the same tick.
  const due = Float64Array.from({ length: rooms }, (_, r) => start + (r * intervalMs) / rooms);
  const turn = new Uint32Array(rooms);
  // Round boundaries for the runner, which samples CPU use there (not awaited: the schedule goes on).
  Array.from({ length: params.rounds }, (_, r) => [
    setTimeout(() => void ctl.mark(`round${r}:start`), params.warmupMs + r * params.roundMs),
    setTimeout(() => void ctl.mark(`round${r}:end`), params.warmupMs + (r + 1) * params.roundMs),
  ]);
  let seq = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      for (let r = 0; r < rooms; r++) {
        while (due[r]! <= now && due[r]! < end && seq < capacity) {
          const s = seq++;
          const dueAt = due[r]!;
          const index =
            dueAt >= measureFrom ? Math.floor((dueAt - measureFrom) / params.roundMs) : -1;
          const round = rounds[index];
          if (round) {
            round.schedulerLag.push(now - dueAt);
            round.expected += perRoom - 1;
            round.sent++;
            roundOf[s] = index + 1;
          }
          const k = turn[r]!;
          turn[r] = k + 1;
          const sender = sockets[r * perRoom + (k % perRoom)]!;
          const at = performance.now();
          sentAt[s] = at;
          send(sender, messageText(s), params.nonce ? `l${s}` : undefined, () => {
            round?.ackLatency.push(performance.now() - at);
          });
          due[r] = dueAt + intervalMs;
        }
      }
      if (now >= end) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const missing = () => rounds.some((r) => r.delivered < r.expected);
  const deadline = performance.now() + 5_000;
  while (missing() && performance.now() < deadline) await sleep(20);
  await ctl.mark('chat:end');
  const sent = rounds.reduce((n, r) => n + r.sent, 0);
  return {
    kind: 'latency',
    connectMs: Math.round(connected.ms),
    sendRatePerSec: Math.round((sent / (params.rounds * params.roundMs)) * 1000),
    rounds: rounds.map((r): LatencyRound => ({
      sent: r.sent,
      delivered: r.delivered,
      expected: r.expected,
      latency: r.latency.summary(),
      ackLatency: r.ackLatency.summary(),
      schedulerLag: r.schedulerLag.summary(),
    })),
    loadCpuPercent: cpu(),
  };
}
