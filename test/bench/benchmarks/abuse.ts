/**
 * `abuse`: the floods of issue 8, each from one client address for a while, each against a fresh
 * pagechat server with its default limits. Meanwhile eight legitimate visitors (each from its own
 * address, each in its own room) send a message a second from this process, pinned to the
 * server's core so that the attacker's core being busy does not delay them, and the server's
 * resident memory is read from /proc every 200 ms. Each flood is compared with an idle phase (a
 * fresh server, the same visitors, no flood) of the same run: target RSS under 2x idle, the
 * visitors' ack p99 under 3x idle.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../backend/protocol.js';
import type { AbuseAttack, AbuseResult } from '../lib/messages.js';
import {
  DEFAULT_LIMITS,
  LOAD_CORE,
  pinSelf,
  SERVER_CORE,
  sleep,
  startLoad,
  startServer,
  waitForQuiet,
} from '../lib/process.js';
import { serverOptions, type BenchResult, type RunOptions } from '../lib/runner.js';
import { ratio, round, Samples } from '../lib/stats.js';

const RSS_TARGET = 2;
const P99_TARGET = 3;
const SITE = 'bench';
const ATTACKER = '127.66.0.1';
/** Legitimate visitors, each sending a message every INTERVAL_MS (within their 1/s, burst 10). */
const VISITORS = 32;
const INTERVAL_MS = 1000;
const ATTACKS: AbuseAttack[] = ['churn', 'handshakes', 'namespaces', 'slow-readers', 'invalid'];

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Phase {
  name: 'idle' | AbuseAttack;
  rssMaxMb: number;
  p50Ms: number;
  p99Ms: number;
  acks: number;
  failedAcks: number;
  counts?: Record<string, number>;
}

async function visitor(url: string, n: number): Promise<Client> {
  const socket: Client = io(`${url}/${SITE}`, {
    transports: ['websocket'],
    forceNew: true,
    ...({ localAddress: `127.10.0.${n + 1}` } as object),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  const joined = await socket.timeout(10_000).emitWithAck('join', { room: `/legit-${n}` });
  if (!joined.ok) throw new Error(`legit visitor ${n} could not join: ${joined.error.code}`);
  return socket;
}

export async function abuse(options: RunOptions): Promise<BenchResult> {
  const durationMs = options.quick ? 4000 : 10_000;
  const phases: Phase[] = [];
  pinSelf(String(SERVER_CORE));
  try {
    for (const name of ['idle', ...ATTACKS] as const) {
      await waitForQuiet(30, 60_000, options.log);
      const server = await startServer(
        'pagechat',
        serverOptions('pagechat', options, { env: DEFAULT_LIMITS }),
      );
      const visitors: Client[] = [];
      try {
        for (let n = 0; n < VISITORS; n++) visitors.push(await visitor(server.url, n));
        // Let start-up settle before the first sample.
        await sleep(1000);
        const latency = new Samples();
        let failedAcks = 0;
        let rssMax = 0;
        let measuring = true;
        const sampler = setInterval(() => (rssMax = Math.max(rssMax, server.rss())), 200);
        const chatting = visitors.map(async (socket, n) => {
          await sleep((n * INTERVAL_MS) / visitors.length);
          while (measuring) {
            const started = performance.now();
            const ack = await socket
              .timeout(10_000)
              .emitWithAck('message:send', { text: `legit ${n}` })
              .catch(() => undefined);
            if (ack?.ok) latency.push(performance.now() - started);
            else failedAcks += 1;
            await sleep(Math.max(0, INTERVAL_MS - (performance.now() - started)));
          }
        });
        let result: AbuseResult | undefined;
        if (name === 'idle') {
          await sleep(durationMs);
        } else {
          const load = startLoad('abuse', {
            url: server.url,
            site: SITE,
            attack: name,
            durationMs,
            address: ATTACKER,
          });
          try {
            result = (await load.next('result')).data as AbuseResult;
          } finally {
            await load.done();
          }
        }
        measuring = false;
        await Promise.all(chatting);
        clearInterval(sampler);
        const summary = latency.summary();
        const phase: Phase = {
          name,
          rssMaxMb: round(rssMax / 1024 / 1024, 1),
          p50Ms: round(summary.p50),
          p99Ms: round(summary.p99),
          acks: summary.samples,
          failedAcks,
          ...(result ? { counts: result.counts } : {}),
        };
        phases.push(phase);
        options.log(
          `${name}: rss max ${phase.rssMaxMb} MB, legit acks p50 ${phase.p50Ms} ms p99 ${phase.p99Ms} ms ` +
            `(${phase.acks} acks, ${failedAcks} failed)` +
            (result ? `; attacker ${JSON.stringify(result.counts)}` : ''),
        );
      } finally {
        for (const socket of visitors) socket.close();
        await server.stop();
      }
    }
  } finally {
    pinSelf(`${SERVER_CORE},${LOAD_CORE}`);
  }

  const idle = phases[0]!;
  const figures: Record<string, number> = { idleRssMb: idle.rssMaxMb, idleP99Ms: idle.p99Ms };
  const ratios: Record<string, number> = {};
  let met = true;
  for (const phase of phases.slice(1)) {
    figures[`${phase.name}RssMb`] = phase.rssMaxMb;
    figures[`${phase.name}P99Ms`] = phase.p99Ms;
    const rss = ratio(phase.rssMaxMb, idle.rssMaxMb);
    const p99 = ratio(phase.p99Ms, idle.p99Ms);
    ratios[`${phase.name}Rss`] = rss;
    ratios[`${phase.name}P99`] = p99;
    if (!(rss < RSS_TARGET && p99 < P99_TARGET && phase.failedAcks === 0)) met = false;
  }
  return {
    name: 'abuse',
    what: `5 floods from one address, ${durationMs / 1000} s each; 32 visitors sending 1 message/s`,
    figures,
    baseline: {
      name: 'a fresh server with the same visitors and no flood (idle phase)',
      figures: { rssMb: idle.rssMaxMb, p99Ms: idle.p99Ms },
    },
    ratios,
    target: `RSS < ${RSS_TARGET}x idle and the visitors' ack p99 < ${P99_TARGET}x idle under every flood, no ack lost`,
    met,
    notes: [
      'default limits (PAGECHAT_* unset); attacker 127.66.0.1, visitors 127.10.0.1-32, all on loopback; the visitors run on the server core, the attacker on the other',
      'ratios are flood / idle of the same run, each phase on a fresh server',
    ],
    runs: phases,
  };
}
