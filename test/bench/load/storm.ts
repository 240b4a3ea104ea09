/**
 * Load side of `storm`: N visitors, already connected, all join one page at once. Every client
 * tracks the latest count it knows (join ack, then `presence` / `joined` / `left`); the storm has
 * settled when every client knows the exact count N. Frames are the presence-type events received.
 */
import type { StormParams, StormResult } from '../lib/messages.js';
import { connectVisitors, cpuMeter, sleep, type Control } from './clients.js';

const PRESENCE_EVENTS = ['presence', 'joined', 'left'] as const;

export async function storm(params: StormParams, ctl: Control): Promise<StormResult> {
  const n = params.visitors;
  const known = new Int32Array(n).fill(-1);
  let atTarget = 0;
  let frames = 0;
  const byEvent: Record<string, number> = { presence: 0, joined: 0, left: 0 };
  let settledAt = 0;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const update = (index: number, count: number): void => {
    const was = known[index] === n;
    known[index] = count;
    const is = count === n;
    if (is && !was && ++atTarget === n) {
      settledAt = performance.now();
      settle();
    } else if (was && !is) atTarget--;
  };

  const connected = await connectVisitors(params, n, (socket, index) => {
    for (const event of PRESENCE_EVENTS) {
      socket.on(event, (payload: { count: number }) => {
        frames++;
        byEvent[event]!++;
        update(index, payload.count);
      });
    }
  });
  if (connected.failed > 0) throw new Error(`${connected.failed} connections failed`);
  await sleep(500);

  const cpu = cpuMeter();
  await ctl.mark('storm:start');
  const start = performance.now();
  let acks = 0;
  let lastAckAt = start;
  connected.sockets.forEach((socket, index) => {
    socket.timeout(params.timeoutMs).emit('join', { room: 'storm' }, (error, answer) => {
      if (error || !answer.ok) return;
      acks++;
      lastAckAt = performance.now();
      update(index, answer.count);
    });
  });
  await Promise.race([settled, sleep(params.timeoutMs)]);
  const ok = atTarget === n;
  const settleMs = (ok ? settledAt : performance.now()) - start;
  await ctl.mark('storm:end');
  const loadCpuPercent = cpu();
  await sleep(params.tailMs);
  let wrongAtEnd = 0;
  for (const count of known) if (count !== n) wrongAtEnd++;
  return {
    kind: 'storm',
    connectMs: Math.round(connected.ms),
    settled: ok,
    settleMs: Math.round(settleMs),
    joinsMs: Math.round(lastAckAt - start),
    frames,
    framesPerVisitor: Math.round((frames / n) * 100) / 100,
    byEvent,
    wrongAtEnd: acks === n ? wrongAtEnd : n,
    loadCpuPercent,
  };
}
