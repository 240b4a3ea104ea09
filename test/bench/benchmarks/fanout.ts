/**
 * `fanout`: 1,000 visitors in one room, one sender, 200 messages per round. Deliveries per second
 * and delivery latency, pagechat against a bare Socket.IO relay (servers/bare.mjs) in the same run.
 * Target: at least 0.9x the bare relay's deliveries per second.
 */
import type { FanoutParams, FanoutResult } from '../lib/messages.js';
import type { ServerKind } from '../lib/process.js';
import { alternate, measure, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, quiet, ratio, round } from '../lib/stats.js';

const TARGET = 0.9;

export async function fanout(options: RunOptions): Promise<BenchResult> {
  const params: Omit<FanoutParams, 'url'> = {
    namespace: '/bench',
    connectConcurrency: 50,
    nonce: true,
    receivers: options.quick ? 200 : 1000,
    messages: options.quick ? 50 : 200,
    rounds: 3,
    window: 20,
    settleMs: 1500,
  };
  interface Round {
    kind: ServerKind;
    rate: number;
    p50: number;
    p99: number;
    serverCpu: number;
    others: number;
  }
  const measured: Round[] = [];
  const runs: unknown[] = [];
  for (const kind of alternate<ServerKind>('pagechat', 'bare', options.quick ? 1 : 2)) {
    const { result, serverCpu, otherCpu } = await measure<FanoutResult>(
      kind,
      'fanout',
      params,
      options,
    );
    result.rounds.forEach((r, i) => {
      if (r.deliveries !== r.expected) {
        throw new Error(`${kind}: ${r.deliveries} of ${r.expected} deliveries arrived`);
      }
      measured.push({
        kind,
        rate: r.deliveriesPerSec,
        p50: r.latency.p50,
        p99: r.latency.p99,
        serverCpu: serverCpu[`round${i}`] ?? Number.NaN,
        others: otherCpu[`round${i}`] ?? Number.NaN,
      });
    });
    runs.push({ ...result, server: kind, serverCpu, otherCpu });
    options.log(
      `fanout ${kind}: ${result.rounds.map((r) => r.deliveriesPerSec).join(', ')} deliveries/s, ` +
        `server cpu ${Object.values(serverCpu).join('/')}%, load cpu ${result.loadCpuPercent}%, ` +
        `other processes ${Object.values(otherCpu).join('/')}%`,
    );
  }
  const summary = (kind: ServerKind) => {
    const all = measured.filter((r) => r.kind === kind);
    const kept = quiet(all, (r) => r.others);
    return {
      deliveriesPerSec: Math.round(median(kept.map((r) => r.rate))),
      p50Ms: round(median(kept.map((r) => r.p50))),
      p99Ms: round(median(kept.map((r) => r.p99))),
      serverCpuPercent: round(median(kept.map((r) => r.serverCpu)), 0),
      otherProcessesCpuPercent: round(median(kept.map((r) => r.others)), 0),
      roundsKept: `${kept.length}/${all.length}`,
    };
  };
  const ours = summary('pagechat');
  const bare = summary('bare');
  const ratios = {
    deliveriesPerSec: ratio(ours.deliveriesPerSec, bare.deliveriesPerSec),
    p50Ms: ratio(ours.p50Ms, bare.p50Ms),
    p99Ms: ratio(ours.p99Ms, bare.p99Ms),
  };
  return {
    name: 'fanout',
    what: `${params.receivers} receivers in one room, 1 sender, ${params.messages} messages per round (${params.window} in flight)`,
    figures: ours,
    baseline: { name: 'bare Socket.IO relay', figures: bare },
    ratios,
    target: `deliveries/s >= ${TARGET}x baseline`,
    met: ratios.deliveriesPerSec >= TARGET,
    notes: [
      'median over the measured rounds (servers alternate ABBA); rounds during which other processes used more than 30% of a core are left out (roundsKept)',
      'serverCpuPercent is the server process during the rounds; near 100% means the server is the bottleneck',
    ],
    runs,
  };
}
