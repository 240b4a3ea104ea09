/**
 * `latency`: 100 rooms of 20 visitors, every room chatting at once (one message every 100 ms per
 * room, 1,000 messages/s in all, 19,000 deliveries/s). Send-to-delivery latency in pagechat, per
 * round of 5 s after a warm-up; the figures are the medians over the rounds. Target: p99 at most
 * 25 ms. No baseline.
 */
import type { LatencyParams, LatencyResult } from '../lib/messages.js';
import { measure, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, perRound, quietRounds, round } from '../lib/stats.js';

const TARGET_P99_MS = 25;

export async function latency(options: RunOptions): Promise<BenchResult> {
  const params: Omit<LatencyParams, 'url'> = {
    namespace: '/bench',
    connectConcurrency: 50,
    nonce: true,
    rooms: 100,
    perRoom: 20,
    intervalMs: 100,
    warmupMs: 2000,
    rounds: options.quick ? 1 : 3,
    roundMs: 5000,
    settleMs: 1500,
  };
  const { result, serverCpu, otherCpu } = await measure<LatencyResult>(
    'pagechat',
    'latency',
    params,
    options,
  );
  const rounds = result.rounds;
  const kept = quietRounds(rounds, serverCpu, otherCpu);
  const of = (pick: (r: (typeof kept)[number]) => number) => round(median(kept.map(pick)));
  const delivered = rounds.reduce((n, r) => n + r.delivered, 0);
  const expected = rounds.reduce((n, r) => n + r.expected, 0);
  const figures = {
    p50Ms: of((r) => r.latency.p50),
    p90Ms: of((r) => r.latency.p90),
    p99Ms: of((r) => r.latency.p99),
    worstRoundP99Ms: Math.max(...kept.map((r) => r.latency.p99)),
    maxMs: Math.max(...kept.map((r) => r.latency.max)),
    ackP99Ms: of((r) => r.ackLatency.p99),
    delivered,
    expected,
    loadTimerLagP99Ms: of((r) => r.schedulerLag.p99),
    serverCpuPercent: of((r) => r.serverCpu),
    loadCpuPercent: result.loadCpuPercent,
    otherProcessesCpuPercent: of((r) => r.others),
    roundsKept: `${kept.length}/${rounds.length}`,
  };
  options.log(
    `latency: p99 per round ${rounds.map((r) => r.latency.p99).join(', ')} ms, ` +
      `${delivered}/${expected} delivered, server cpu ${perRound(serverCpu, rounds.length).join('/')}%, ` +
      `load cpu ${result.loadCpuPercent}%, other processes ${perRound(otherCpu, rounds.length).join('/')}%`,
  );
  return {
    name: 'latency',
    what: `${params.rooms} rooms x ${params.perRoom} visitors, each room 1 message / ${params.intervalMs} ms (${result.sendRatePerSec} msg/s, ${result.sendRatePerSec * (params.perRoom - 1)} deliveries/s)`,
    figures,
    target: `p99 <= ${TARGET_P99_MS} ms`,
    met: figures.p99Ms <= TARGET_P99_MS && delivered === expected,
    notes: [
      `latency = delivery time - send time, both read in the load process (one clock); median over ${params.rounds} rounds of ${params.roundMs / 1000} s, leaving out rounds during which other processes used more than 30% of a core (roundsKept)`,
      'loadTimerLagP99Ms: how late the load fired its sends; a high value means the machine was busy',
      'otherProcessesCpuPercent: CPU used by everything but the server and the load during the rounds (the machine is shared)',
    ],
    runs: [{ ...result, serverCpu, otherCpu }],
  };
}
