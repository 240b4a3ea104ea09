/**
 * `handshakes`: new connections per second to a site, each closed once its handshake is done, 50
 * in flight, pagechat against a bare Socket.IO server in the same run. pagechat's site is claimed
 * with an origin list, blocked words and bans, so each handshake reads the site's settings and
 * bans, checks the origin, hashes the client address and signs a token. Target: >= 0.8x bare.
 */
import type { HandshakesParams, HandshakesResult } from '../lib/messages.js';
import type { ServerKind } from '../lib/process.js';
import { BENCH_OPERATOR_TOKEN } from '../lib/process.js';
import { alternate, measure, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, quiet, ratio, round } from '../lib/stats.js';

const TARGET = 0.8;

export async function handshakes(options: RunOptions): Promise<BenchResult> {
  const base: Omit<HandshakesParams, 'url' | 'operatorToken'> = {
    namespace: '/bench',
    connectConcurrency: 50,
    nonce: false,
    handshakes: options.quick ? 500 : 4000,
    inFlight: 50,
    origin: 'https://www.example.org',
  };
  const runs: { kind: ServerKind; result: HandshakesResult; others: number; cpu: number }[] = [];
  for (const kind of alternate<ServerKind>('pagechat', 'bare', options.quick ? 1 : 2)) {
    const pagechat = kind === 'pagechat';
    const measured = await measure<HandshakesResult>(
      kind,
      'handshakes',
      { ...base, operatorToken: pagechat ? BENCH_OPERATOR_TOKEN : null },
      options,
      pagechat ? { env: { PAGECHAT_ADMIN_TOKEN: BENCH_OPERATOR_TOKEN } } : {},
    );
    const { result } = measured;
    if (result.failed > 0) throw new Error(`${kind}: ${result.failed} handshakes failed`);
    runs.push({
      kind,
      result,
      others: measured.otherCpu.handshakes ?? Number.NaN,
      cpu: measured.serverCpu.handshakes ?? Number.NaN,
    });
    options.log(
      `handshakes ${kind}: ${result.handshakesPerSec}/s, p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms, server cpu ${measured.serverCpu.handshakes}%, ` +
        `other processes ${measured.otherCpu.handshakes}%`,
    );
  }
  const summary = (kind: ServerKind) => {
    const all = runs.filter((r) => r.kind === kind);
    const kept = quiet(all, (r) => r.others);
    return {
      handshakesPerSec: Math.round(median(kept.map((r) => r.result.handshakesPerSec))),
      p50Ms: round(median(kept.map((r) => r.result.latency.p50))),
      p99Ms: round(median(kept.map((r) => r.result.latency.p99))),
      serverCpuPercent: round(median(kept.map((r) => r.cpu)), 0),
      runsKept: `${kept.length}/${all.length}`,
    };
  };
  const ours = summary('pagechat');
  const bare = summary('bare');
  const perSec = ratio(ours.handshakesPerSec, bare.handshakesPerSec);
  return {
    name: 'handshakes',
    what: `${base.handshakes} new connections, ${base.inFlight} in flight, each closed after its handshake`,
    figures: ours,
    baseline: { name: 'bare Socket.IO server (servers/bare.mjs)', figures: bare },
    ratios: { handshakesPerSec: perSec },
    target: `>= ${TARGET}x bare Socket.IO`,
    met: perSec >= TARGET,
    notes: [
      'pagechat: handshake until `session`; bare: until `connect` (pagechat sends session at once)',
      'PAGECHAT_MAX_CONNECTIONS_PER_IP is lifted: every load connection comes from 127.0.0.1',
    ],
    runs: runs.map((r) => ({ server: r.kind, ...r.result, serverCpu: r.cpu, otherCpu: r.others })),
  };
}
