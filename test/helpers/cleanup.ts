/**
 * One registry of everything a test started (servers, client sockets, child processes, temporary
 * folders), torn down by `cleanup()` in each suite's `afterEach`, so no test leaks a port, a
 * connection or a file into the next one.
 */
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

interface Closable {
  close(): Promise<void>;
}
interface Disconnectable {
  disconnect(): unknown;
}

const sockets = new Set<Disconnectable>();
const servers = new Set<Closable>();
const processes = new Set<ChildProcess>();
const dirs = new Set<string>();

export const track = {
  socket<T extends Disconnectable>(socket: T): T {
    sockets.add(socket);
    return socket;
  },
  server<T extends Closable>(server: T): T {
    servers.add(server);
    return server;
  },
  process<T extends ChildProcess>(child: T): T {
    processes.add(child);
    return child;
  },
  dir(path: string): string {
    dirs.add(path);
    return path;
  },
};

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Disconnects every client, then stops every server and process, then removes every folder. */
export async function cleanup(): Promise<void> {
  for (const socket of sockets) socket.disconnect();
  sockets.clear();
  const stopping = [...processes].map(killAndWait);
  processes.clear();
  const closing = [...servers].map((server) => server.close());
  servers.clear();
  await Promise.all([...stopping, ...closing]);
  const removing = [...dirs].map((dir) => rm(dir, { recursive: true, force: true }));
  dirs.clear();
  await Promise.all(removing);
}
