/**
 * Load side of `capacity`: opens N visitors spread over R rooms (connect and join), tells the runner it is ready, and
 * holds them until the runner has measured the server's memory.
 */
import type { CapacityParams, CapacityResult } from '../lib/messages.js';
import { closeAll, connectVisitors, joinAll, type Control } from './clients.js';

export async function capacity(params: CapacityParams, ctl: Control): Promise<CapacityResult> {
  const started = performance.now();
  const connected = await connectVisitors(params, params.visitors);
  await joinAll(connected.sockets, (index) => `/page/${index % params.rooms}`);
  const result: CapacityResult = {
    kind: 'capacity',
    connected: connected.sockets.length,
    failed: connected.failed,
    connectMs: Math.round(performance.now() - started),
  };
  const released = ctl.waitFor('release');
  await ctl.send({ type: 'ready', data: result });
  await released;
  closeAll(connected.sockets);
  return result;
}
