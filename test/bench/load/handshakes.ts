/**
 * Load for `handshakes`: fresh connections, `inFlight` at a time, each closed as soon as its
 * handshake is done (pagechat: `session` received; the bare server: `connect`). For pagechat the
 * site is claimed with an origin list and a few bans first, so every handshake reads settings,
 * checks the origin and the bans, and signs a token, as in production.
 */
import type { HandshakesParams, HandshakesResult } from '../lib/messages.js';
import { Samples } from '../lib/stats.js';
import { adminRequest, claim } from './admin.js';
import { connectVisitors, cpuMeter, type Control } from './clients.js';
import { io } from 'socket.io-client';

export async function handshakes(
  params: HandshakesParams,
  ctl: Control,
): Promise<HandshakesResult> {
  const site = params.namespace.slice(1);
  const pagechat = params.operatorToken !== null;
  if (params.operatorToken !== null) {
    await claim(params.url, params.operatorToken, site, {
      origins: [params.origin, 'https://*.example.org'],
      blockedWords: ['spam'],
    });
    // A few visitors banned, so the ban check has something to look through.
    const ids: Promise<string>[] = [];
    const seen = await connectVisitors({ ...params, connectConcurrency: 3 }, 3, (socket) => {
      ids.push(new Promise((resolve) => socket.once('session', (s) => resolve(s.visitorId))));
    });
    for (const visitorId of await Promise.all(ids)) {
      const res = await adminRequest(
        params.url,
        params.operatorToken,
        'POST',
        `/sites/${site}/bans`,
        {
          visitorId,
          byAddress: false,
        },
      );
      if (res.status !== 201) throw new Error(`ban answered ${res.status}`);
    }
    for (const socket of seen.sockets) socket.close();
  }

  const latency = new Samples();
  let completed = 0;
  let failed = 0;
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const socket = io(params.url + params.namespace, {
        transports: ['websocket'],
        forceNew: true,
        multiplex: false,
        reconnection: false,
        extraHeaders: { Origin: params.origin },
      });
      const done = (ok: boolean) => {
        if (ok) {
          completed++;
          latency.push(performance.now() - started);
        } else failed++;
        socket.close();
        resolve();
      };
      socket.once(pagechat ? 'session' : 'connect', () => done(true));
      socket.once('connect_error', () => done(false));
    });
  const worker = async (): Promise<void> => {
    while (next < params.handshakes) {
      next++;
      await one();
    }
  };

  const cpu = cpuMeter();
  await ctl.mark('handshakes:start');
  const started = performance.now();
  await Promise.all(Array.from({ length: params.inFlight }, worker));
  const elapsedMs = performance.now() - started;
  await ctl.mark('handshakes:end');
  return {
    kind: 'handshakes',
    completed,
    failed,
    elapsedMs: Math.round(elapsedMs),
    handshakesPerSec: Math.round((completed / elapsedMs) * 1000),
    latency: latency.summary(),
    loadCpuPercent: cpu(),
  };
}
