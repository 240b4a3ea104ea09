/**
 * `history`: `message:send` end to end (validated, stored in SQLite, acknowledged, broadcast)
 * across 200 rooms of 2 visitors, every visitor keeping 4 requests in flight. Acked messages per
 * second over fixed windows after a warm-up; the figure is the median window. Target: at least
 * 5,000 per process. No baseline.
 */
import type { HistoryParams, HistoryResult } from '../lib/messages.js';
import { measure, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, perRound, quietRounds, round } from '../lib/stats.js';

const TARGET = 5000;

export async function history(options: RunOptions): Promise<BenchResult> {
  const params: Omit<HistoryParams, 'url'> = {
    namespace: '/bench',
    connectConcurrency: 50,
    nonce: true,
    rooms: 200,
    perRoom: 2,
    inFlight: 4,
    warmupMs: 2000,
    rounds: options.quick ? 1 : 3,
    roundMs: 3000,
  };
  const { result, serverCpu, otherCpu } = await measure<HistoryResult>(
    'pagechat',
    'history',
    params,
    options,
  );
  const rounds = result.rounds;
  const kept = quietRounds(rounds, serverCpu, otherCpu);
  const figures = {
    messagesPerSec: Math.round(median(kept.map((r) => r.messagesPerSec))),
    worstRoundPerSec: Math.min(...kept.map((r) => r.messagesPerSec)),
    ackP50Ms: round(median(kept.map((r) => r.ackLatency.p50))),
    ackP99Ms: round(median(kept.map((r) => r.ackLatency.p99))),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    serverCpuPercent: round(median(kept.map((r) => r.serverCpu)), 0),
    loadCpuPercent: result.loadCpuPercent,
    otherProcessesCpuPercent: round(median(kept.map((r) => r.others)), 0),
    roundsKept: `${kept.length}/${rounds.length}`,
  };
  options.log(
    `history: ${rounds.map((r) => r.messagesPerSec).join(', ')} msg/s, ` +
      `server cpu ${perRound(serverCpu, rounds.length).join('/')}%, load cpu ${result.loadCpuPercent}%, ` +
      `other processes ${perRound(otherCpu, rounds.length).join('/')}%`,
  );
  return {
    name: 'history',
    what: `${params.rooms} rooms x ${params.perRoom} senders, ${params.inFlight} in flight each, ${params.rounds} windows of ${params.roundMs / 1000} s`,
    figures,
    target: `>= ${TARGET} messages/s`,
    met: figures.messagesPerSec >= TARGET && figures.failed === 0,
    notes: [
      'each message carries a nonce, as a client that retries safely sends',
      'median over the windows, leaving out those during which other processes used more than 30% of a core (roundsKept)',
      'ack latency is queueing under saturation (1,600 requests in flight), not an idle round trip',
      'serverCpuPercent below 100 means the server waited (SQLite checkpoints fsync on the event loop) or the load could not keep up',
    ],
    runs: [{ ...result, serverCpu, otherCpu }],
  };
}
