/**
 * Load side of `fanout`: one sender and N receivers in one room. The sender keeps a bounded number
 * of `message:send` requests in flight; every receiver timestamps every delivery, so the round
 * yields deliveries per second (first send to last delivery) and the latency distribution.
 */
import type { FanoutParams, FanoutResult, FanoutRound } from '../lib/messages.js';
import { round as roundTo, Samples } from '../lib/stats.js';
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

export async function fanout(params: FanoutParams, ctl: Control): Promise<FanoutResult> {
  let onMessage: (seq: number, at: number) => void = () => undefined;
  const connected = await connectVisitors(params, params.receivers + 1, (socket, index) => {
    if (index > 0) socket.on('message', (m) => onMessage(sequenceOf(m.text), performance.now()));
  });
  if (connected.failed > 0) throw new Error(`${connected.failed} connections failed`);
  const [sender, ...receivers] = connected.sockets;
  await joinAll(connected.sockets, () => 'fanout');
  await sleep(params.settleMs);

  let nextSeq = 0;
  const runRound = async (messages: number): Promise<FanoutRound> => {
    const base = nextSeq;
    nextSeq += messages;
    const expected = messages * receivers.length;
    const sentAt = new Float64Array(messages);
    const latency = new Samples();
    let deliveries = 0;
    let lastAt = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    onMessage = (seq, at) => {
      const i = seq - base;
      if (i < 0 || i >= messages) return;
      latency.push(at - sentAt[i]!);
      lastAt = at;
      if (++deliveries === expected) finish();
    };
    let sent = 0;
    let acked = 0;
    const pump = (): void => {
      while (sent < messages && sent - acked < params.window) {
        const i = sent++;
        sentAt[i] = performance.now();
        send(sender!, messageText(base + i), params.nonce ? `f${base + i}` : undefined, () => {
          acked++;
          pump();
        });
      }
    };
    const start = performance.now();
    pump();
    await Promise.race([finished, sleep(60_000)]);
    const elapsedMs = (deliveries === expected ? lastAt : performance.now()) - start;
    return {
      deliveries,
      expected,
      elapsedMs: roundTo(elapsedMs),
      deliveriesPerSec: Math.round((deliveries / elapsedMs) * 1000),
      latency: latency.summary(),
    };
  };

  await runRound(Math.min(50, params.messages));
  await sleep(200);
  const cpu = cpuMeter();
  const rounds: FanoutRound[] = [];
  for (let r = 0; r < params.rounds; r++) {
    await ctl.mark(`round${r}:start`);
    rounds.push(await runRound(params.messages));
    await ctl.mark(`round${r}:end`);
    await sleep(200);
  }
  return { kind: 'fanout', connectMs: Math.round(connected.ms), rounds, loadCpuPercent: cpu() };
}
