/**
 * Load for `moderation`: 1,000 visitors online on one claimed site, spread over rooms; then, one
 * at a time, a visitor (some with a second tab) is banned over the HTTP API, and the time from
 * sending the request to the last of its sockets being disconnected is measured. Each banned
 * visitor is replaced by a fresh one, so the site stays at the same size.
 */
import type { ModerationParams, ModerationResult } from '../lib/messages.js';
import { Samples } from '../lib/stats.js';
import { adminRequest, claim } from './admin.js';
import { connectVisitors, cpuMeter, join, joinAll, type Control, type Visitor } from './clients.js';

interface Online {
  socket: Visitor;
  visitorId: string;
  token: string;
}

export async function moderation(
  params: ModerationParams,
  ctl: Control,
): Promise<ModerationResult> {
  const site = params.namespace.slice(1);
  await claim(params.url, params.operatorToken, site, {});
  const sessions = new Map<Visitor, { visitorId: string; token: string }>();
  const watch = (socket: Visitor) =>
    socket.once('session', (s) => sessions.set(socket, { visitorId: s.visitorId, token: s.token }));
  const connected = await connectVisitors(params, params.visitors, watch);
  if (connected.failed > 0) throw new Error(`${connected.failed} visitors could not connect`);
  const roomOf = (i: number) => `/page-${i % params.rooms}`;
  await joinAll(connected.sockets, roomOf);
  const online: Online[] = connected.sockets.map((socket) => ({
    socket,
    ...sessions.get(socket)!,
  }));

  const total = new Samples();
  const request = new Samples();
  let kickedFirst = 0;
  let covered = 0;
  const cpu = cpuMeter();
  await ctl.mark('moderation:start');
  for (let round = 0; round < params.bans; round++) {
    const index = (round * 37) % online.length;
    const target = online[index]!;
    const sockets = [target.socket];
    if (round % params.tabsEvery === 0) {
      const tab = await connectVisitors({ ...params, connectConcurrency: 1 }, 1, (s) => {
        s.auth = { token: target.token };
      });
      if (tab.sockets[0]) {
        await join(tab.sockets[0], roomOf(index + 1));
        sockets.push(tab.sockets[0]);
      }
    }
    covered += sockets.length;
    const gone = sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let kicked = false;
          socket.once('kicked', () => (kicked = true));
          socket.once('disconnect', () => {
            if (kicked) kickedFirst++;
            resolve();
          });
        }),
    );
    const started = performance.now();
    const answer = adminRequest(params.url, params.operatorToken, 'POST', `/sites/${site}/bans`, {
      visitorId: target.visitorId,
      byAddress: false,
    }).then((res) => {
      if (res.status !== 201) throw new Error(`ban answered ${res.status}`);
      request.push(performance.now() - started);
    });
    await Promise.all([...gone, answer]);
    total.push(performance.now() - started);
    // Keep the site at its size: a fresh visitor takes the banned one's place.
    const fresh = await connectVisitors({ ...params, connectConcurrency: 1 }, 1, watch);
    const socket = fresh.sockets[0];
    if (!socket) throw new Error('a replacement visitor could not connect');
    await join(socket, roomOf(index));
    online[index] = { socket, ...sessions.get(socket)! };
  }
  await ctl.mark('moderation:end');
  return {
    kind: 'moderation',
    connectMs: Math.round(connected.ms),
    banToDisconnect: total.summary(),
    banRequest: request.summary(),
    kickedFirst,
    covered,
    online: online.length,
    loadCpuPercent: cpu(),
  };
}
