/**
 * `capacity`: 10,000 visitors or more (as many as the open-file limit allows, up to 20,000), 10
 * per room, held by one process. Heap and RSS per connection, measured inside the server after full
 * collections (servers/gc-hook.mjs, SIGUSR2) with the idle figure subtracted, pagechat against a
 * bare Socket.IO server holding the same connections. Target: heap per connection at most 1.25x
 * the bare server's.
 */
import type { CapacityParams, CapacityResult } from '../lib/messages.js';
import {
  BENCH_OPERATOR_TOKEN,
  fileLimits,
  sleep,
  startLoad,
  startServer,
  type MemorySample,
  type ServerKind,
} from '../lib/process.js';
import { alternate, serverOptions, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, ratio, round } from '../lib/stats.js';

const TARGET = 1.25;

interface CapacityRun {
  kind: ServerKind;
  load: CapacityResult;
  idle: MemorySample;
  loaded: MemorySample;
  heapPerConnection: number;
  rssPerConnection: number;
  /** pagechat's own /metrics (prom-client) at the same moment, for comparison. */
  metrics?: { heapUsed: number; rss: number };
}

/** Median of a few samples of each field, taken a little apart. */
async function sampleMemory(take: () => Promise<MemorySample>, count = 3): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < count; i++) {
    samples.push(await take());
    await sleep(300);
  }
  const field = (key: keyof MemorySample) => median(samples.map((s) => s[key]));
  return {
    rss: field('rss'),
    heapTotal: field('heapTotal'),
    heapUsed: field('heapUsed'),
    external: field('external'),
    arrayBuffers: field('arrayBuffers'),
  };
}

async function scrapeMetrics(url: string): Promise<{ heapUsed: number; rss: number } | undefined> {
  try {
    const text = await (
      await fetch(`${url}/metrics`, {
        headers: { Authorization: `Bearer ${BENCH_OPERATOR_TOKEN}` },
      })
    ).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return {
      heapUsed: read('pagechat_nodejs_heap_size_used_bytes'),
      rss: read('pagechat_process_resident_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}

async function runOnce(
  kind: ServerKind,
  params: Omit<CapacityParams, 'url'>,
  options: RunOptions,
): Promise<CapacityRun> {
  const server = await startServer(kind, serverOptions(kind, options, { gcHook: true }));
  const load = { handle: undefined as ReturnType<typeof startLoad> | undefined };
  try {
    await sleep(1000);
    const idle = await sampleMemory(() => server.memory());
    load.handle = startLoad('capacity', { ...params, url: server.url });
    const ready = await load.handle.next('ready');
    if (ready.data.failed > 0) throw new Error(`${kind}: ${ready.data.failed} connections failed`);
    // Let timers, sweeps and lazily freed buffers settle before measuring.
    await sleep(3000);
    const loaded = await sampleMemory(() => server.memory());
    const metrics = kind === 'pagechat' ? await scrapeMetrics(server.url) : undefined;
    load.handle.send({ type: 'release' });
    await load.handle.next('result');
    const n = ready.data.connected;
    return {
      kind,
      load: ready.data,
      idle,
      loaded,
      heapPerConnection: Math.round((loaded.heapUsed - idle.heapUsed) / n),
      rssPerConnection: Math.round((loaded.rss - idle.rss) / n),
      metrics,
    };
  } finally {
    await load.handle?.done();
    await server.stop();
  }
}

/**
 * The issue asks for 10,000 visitors, more if it fits: as many as the open-file limit allows both
 * processes (each connection is one descriptor in each), leaving room for everything else, capped
 * at 20,000 so the benchmark stays around a minute.
 */
function fits(): number {
  const { hard } = fileLimits();
  const room = Math.floor((Math.min(hard, 22_000) - 2000) / 1000) * 1000;
  return Math.max(1000, room);
}

export async function capacity(options: RunOptions): Promise<BenchResult> {
  const visitors = Number(process.env.BENCH_CAPACITY_VISITORS ?? (options.quick ? 1000 : fits()));
  const params: Omit<CapacityParams, 'url'> = {
    namespace: '/bench',
    connectConcurrency: 100,
    nonce: false,
    visitors,
    rooms: Math.max(1, Math.round(visitors / 10)),
  };
  const runs: CapacityRun[] = [];
  for (const kind of alternate<ServerKind>('pagechat', 'bare', 1)) {
    const run = await runOnce(kind, params, options);
    runs.push(run);
    options.log(
      `capacity ${kind}: ${run.load.connected} connected in ${run.load.connectMs} ms, ` +
        `heap ${run.heapPerConnection} B/conn, rss ${run.rssPerConnection} B/conn`,
    );
  }
  const summary = (kind: ServerKind) => {
    const mine = runs.filter((r) => r.kind === kind);
    return {
      connections: mine[0]!.load.connected,
      connectSeconds: round(median(mine.map((r) => r.load.connectMs)) / 1000, 1),
      heapPerConnectionBytes: Math.round(median(mine.map((r) => r.heapPerConnection))),
      rssPerConnectionBytes: Math.round(median(mine.map((r) => r.rssPerConnection))),
      heapIdleMB: round(median(mine.map((r) => r.idle.heapUsed)) / 2 ** 20, 1),
      heapLoadedMB: round(median(mine.map((r) => r.loaded.heapUsed)) / 2 ** 20, 1),
      rssLoadedMB: round(median(mine.map((r) => r.loaded.rss)) / 2 ** 20, 1),
    };
  };
  const ours = summary('pagechat');
  const bare = summary('bare');
  const ratios = {
    heapPerConnectionBytes: ratio(ours.heapPerConnectionBytes, bare.heapPerConnectionBytes),
    rssPerConnectionBytes: ratio(ours.rssPerConnectionBytes, bare.rssPerConnectionBytes),
  };
  return {
    name: 'capacity',
    what: `${visitors} visitors in ${params.rooms} rooms on one process; memory per connection`,
    figures: ours,
    baseline: { name: 'bare Socket.IO server, same connections', figures: bare },
    ratios,
    target: `heap/connection <= ${TARGET}x baseline`,
    met: ratios.heapPerConnectionBytes <= TARGET,
    notes: [
      'per connection = (loaded - idle) / connections, each the median of 3 samples taken right after global.gc() twice',
    ],
    runs,
  };
}
