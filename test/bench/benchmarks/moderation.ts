/**
 * `moderation`: with 1,000 visitors online on one claimed site, the time from an owner's ban
 * request (`POST /api/v1/sites/:site/bans`) to the last socket of the banned visitor (one or two
 * tabs) being disconnected, after `kicked`. Target: p99 at most 500 ms. No baseline: bare
 * Socket.IO has no bans.
 */
import { BENCH_OPERATOR_TOKEN } from '../lib/process.js';
import type { ModerationParams, ModerationResult } from '../lib/messages.js';
import { measure, type BenchResult, type RunOptions } from '../lib/runner.js';
import { round } from '../lib/stats.js';

const TARGET_P99_MS = 500;

export async function moderation(options: RunOptions): Promise<BenchResult> {
  const params: Omit<ModerationParams, 'url'> = {
    namespace: '/bench',
    connectConcurrency: 50,
    nonce: false,
    operatorToken: BENCH_OPERATOR_TOKEN,
    visitors: options.quick ? 200 : 1000,
    rooms: 50,
    bans: options.quick ? 20 : 200,
    tabsEvery: 3,
  };
  const { result, serverCpu, otherCpu } = await measure<ModerationResult>(
    'pagechat',
    'moderation',
    params,
    options,
    { env: { PAGECHAT_ADMIN_TOKEN: BENCH_OPERATOR_TOKEN } },
  );
  const p99 = result.banToDisconnect.p99;
  options.log(
    `moderation: ${result.banToDisconnect.samples} bans, ban to last disconnect p50 ` +
      `${result.banToDisconnect.p50} ms, p99 ${p99} ms; ${result.kickedFirst}/${result.covered} ` +
      `sockets saw kicked first; server cpu ${serverCpu.moderation}%, other processes ${otherCpu.moderation}%`,
  );
  return {
    name: 'moderation',
    what: `${params.visitors} visitors online; ban request to the banned visitor's last socket disconnected`,
    figures: {
      bans: result.banToDisconnect.samples,
      p50Ms: result.banToDisconnect.p50,
      p90Ms: result.banToDisconnect.p90,
      p99Ms: p99,
      maxMs: result.banToDisconnect.max,
      requestP50Ms: result.banRequest.p50,
      kickedFirst: `${result.kickedFirst}/${result.covered}`,
      online: result.online,
      serverCpuPercent: round(serverCpu.moderation ?? Number.NaN, 0),
      otherProcessesCpuPercent: round(otherCpu.moderation ?? Number.NaN, 0),
    },
    target: `p99 <= ${TARGET_P99_MS} ms`,
    met: p99 <= TARGET_P99_MS && result.kickedFirst === result.covered,
    notes: [
      'every 3rd banned visitor has a second tab; the time runs to the last of its sockets',
      'byAddress: false, since every load visitor shares 127.0.0.1',
    ],
    runs: [{ ...result, serverCpu, otherCpu }],
  };
}
