/**
 * Process control for the benchmarks: starts a server (pagechat as `npm start` runs it, or one of
 * the baseline servers under test/bench/servers/) and a load process, each pinned to its own core
 * when `taskset` exists, and reads what the kernel says about them (CPU time) and what the GC hook
 * prints (memory after a full collection).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadReply, LoadRequest, ScenarioName } from './messages.js';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const benchDir = join(repoRoot, 'test', 'bench');

/** Cores the server and the load are pinned to; the same pair for every benchmark. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** Moves every thread of this process to `cores` (`"0"`, `"0,1"`) when taskset exists. */
export function pinSelf(cores: string): void {
  if (hasTaskset)
    spawnSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' });
}

/** Whether processes are pinned (reported with the results). */
export const pinned = hasTaskset;

/** The open-file limits (soft, hard) children inherit; thousands of sockets need a high one. */
export function fileLimits(): { soft: number; hard: number } {
  const read = (flag: string) =>
    Number(
      spawnSync('sh', ['-c', `ulimit ${flag} -n`])
        .stdout?.toString()
        .trim(),
    );
  const hard = read('-H');
  return { soft: read('-S'), hard: Number.isFinite(hard) ? hard : Number.POSITIVE_INFINITY };
}

const limits = fileLimits();

/**
 * `node ...args`, wrapped in `taskset -c core` when it exists, and in a shell that raises the soft
 * open-file limit to the hard one when they differ.
 */
function pinnedCommand(core: number, args: string[]): [string, string[]] {
  const command = hasTaskset
    ? ['taskset', '-c', String(core), process.execPath, ...args]
    : [process.execPath, ...args];
  if (limits.soft < limits.hard) {
    return ['sh', ['-c', `ulimit -S -n ${limits.hard} && exec "$@"`, 'sh', ...command]];
  }
  return [command[0]!, command.slice(1)];
}

/** Kernel clock ticks per second, for /proc/<pid>/stat. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN when unavailable. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process, in bytes, from /proc/<pid>/status; NaN when unavailable. */
export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds the whole machine has been busy (all cores, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .split(/\s+/)
      .slice(1)
      .map(Number);
    void idle;
    void iowait;
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Total time a whole run may spend waiting for quiet, so a busy machine cannot stall it. */
let quietBudgetMs = Number(process.env.BENCH_QUIET_BUDGET_MS ?? 180_000);

/**
 * Waits until the rest of the machine is quiet (other processes using less than `maxPercent` of
 * one core over a 2 s sample), at most `timeoutMs`. Returns the last sample, in % of one core.
 * The machine is shared: a benchmark started during someone else's build measures the build.
 */
export async function waitForQuiet(
  maxPercent = 30,
  timeoutMs = 60_000,
  log: (line: string) => void = () => undefined,
): Promise<number> {
  const deadline = performance.now() + Math.min(timeoutMs, quietBudgetMs);
  const started = performance.now();
  try {
    return await waitUntil(maxPercent, deadline, log);
  } finally {
    quietBudgetMs = Math.max(0, quietBudgetMs - (performance.now() - started));
  }
}

async function waitUntil(
  maxPercent: number,
  deadline: number,
  log: (line: string) => void,
): Promise<number> {
  let told = false;
  for (;;) {
    const busy = machineBusySeconds();
    const own = process.cpuUsage();
    const wall = performance.now();
    await sleep(2000);
    const ownUsage = process.cpuUsage(own);
    const ownSeconds = (ownUsage.user + ownUsage.system) / 1e6;
    const others =
      ((machineBusySeconds() - busy - ownSeconds) / ((performance.now() - wall) / 1000)) * 100;
    if (!Number.isFinite(others) || others < maxPercent) return Math.max(0, others);
    if (performance.now() > deadline) {
      log(
        `the machine is still busy (${others.toFixed(0)}% of a core used by other processes); measuring anyway`,
      );
      return others;
    }
    if (!told) {
      log(`waiting for a quiet machine (${others.toFixed(0)}% of a core used by other processes)`);
      told = true;
    }
  }
}

/** `process.memoryUsage()` of a server, taken by the GC hook right after a full collection. */
export interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type ServerKind = 'pagechat' | 'bare' | 'naive';

export interface ServerOptions {
  /** Extra environment variables (pagechat configuration, baseline switches). */
  env?: Record<string, string>;
  /** Start with `--expose-gc` and the SIGUSR2 hook of servers/gc-hook.mjs. */
  gcHook?: boolean;
  /** Extra node flags (for example `--cpu-prof`). */
  nodeFlags?: string[];
}

export interface ServerHandle {
  kind: ServerKind;
  pid: number;
  port: number;
  url: string;
  /** The process's CPU seconds so far. */
  cpu(): number;
  /** Its resident set size now, in bytes (from /proc); NaN when unavailable. */
  rss(): number;
  /** Full GC, then `process.memoryUsage()`; needs `gcHook`. */
  memory(): Promise<MemorySample>;
  /** SIGTERM, then SIGKILL after a grace period; removes the data folder. */
  stop(): Promise<void>;
  /** Lines the server wrote to stderr (kept for error reports). */
  stderr: string[];
}

/** The operator token every benchmark server accepts (`/metrics`, the API). */
export const BENCH_OPERATOR_TOKEN = 'bench-operator-token-0123456789abcdef';

/**
 * Rate limits high enough that a benchmark never meets them; set through configuration only. The
 * load process stands in for thousands of visitors from one address, so the per-address
 * connection cap is lifted too.
 */
export const UNLIMITED_RATES: Record<string, string> = {
  ...Object.fromEntries(
    ['MESSAGE', 'JOIN', 'RENAME', 'TYPING'].flatMap((name) => [
      [`PAGECHAT_${name}_RATE_BURST`, '100000'],
      [`PAGECHAT_${name}_RATE_PER_SECOND`, '100000'],
    ]),
  ),
  ...Object.fromEntries(
    ['ADDRESS_MESSAGE', 'ROOM_MESSAGE', 'HANDSHAKE', 'INVALID_REQUEST'].flatMap((name) => [
      [`PAGECHAT_${name}_RATE_BURST`, '100000'],
      [`PAGECHAT_${name}_RATE_PER_SECOND`, '100000'],
    ]),
  ),
  PAGECHAT_MAX_CONNECTIONS_PER_IP: '1000000',
  PAGECHAT_MAX_CONNECTIONS: '10000000',
  PAGECHAT_ADMIN_TOKEN: BENCH_OPERATOR_TOKEN,
};

/** Each limit of UNLIMITED_RATES back at its default (the abuse benchmark measures them). */
export const DEFAULT_LIMITS: Record<string, string> = Object.fromEntries(
  Object.keys(UNLIMITED_RATES)
    .filter((name) => name !== 'PAGECHAT_ADMIN_TOKEN')
    .map((name) => [name, '']),
);

const serverScripts: Record<ServerKind, string> = {
  // BENCH_PAGECHAT_MAIN points at another build (a patched copy) to measure a proposed change.
  pagechat: process.env.BENCH_PAGECHAT_MAIN ?? join(repoRoot, 'build', 'backend', 'main.js'),
  bare: join(benchDir, 'servers', 'bare.mjs'),
  naive: join(benchDir, 'servers', 'naive.mjs'),
};

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

/** Starts a server on 127.0.0.1, port 0, and resolves once it logs `"msg":"listening"`. */
export async function startServer(
  kind: ServerKind,
  options: ServerOptions = {},
): Promise<ServerHandle> {
  const script = serverScripts[kind];
  if (!existsSync(script)) throw new Error(`${script} does not exist; run npm run build:backend`);
  const dataDir = mkdtempSync(join(tmpdir(), `pagechat-bench-${kind}-`));
  const flags = [...(options.nodeFlags ?? [])];
  if (options.gcHook) {
    flags.push('--expose-gc', '--import', join(benchDir, 'servers', 'gc-hook.mjs'));
  }
  const [command, args] = pinnedCommand(SERVER_CORE, [...flags, script]);
  const child = spawn(command, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: '0',
      HOST: '127.0.0.1',
      PAGECHAT_DATA_DIR: dataDir,
      // pagechat logs only start and stop at info; `listening` carries the port.
      LOG_LEVEL: 'info',
      ...UNLIMITED_RATES,
      ...options.env,
    },
  });
  const stderr: string[] = [];
  const memoryWaiters: Array<(sample: MemorySample) => void> = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.startsWith('{"benchMemory"')) {
      const sample = (JSON.parse(line) as { benchMemory: MemorySample }).benchMemory;
      memoryWaiters.shift()?.(sample);
      return;
    }
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within 20 s`)), 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.includes('"msg":"listening"')) return;
      clearTimeout(timer);
      resolvePort((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${kind} exited (${code ?? signal}) before listening:\n${stderr.join('\n')}`),
      );
    });
  });
  // Keep draining stdout so a chatty server never blocks on a full pipe.
  child.stdout!.resume();

  const pid = child.pid!;
  return {
    kind,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr,
    cpu: () => cpuSeconds(pid),
    rss: () => residentBytes(pid),
    memory: () =>
      new Promise<MemorySample>((resolveSample, reject) => {
        if (!options.gcHook) return reject(new Error('memory() needs gcHook'));
        const timer = setTimeout(() => reject(new Error(`${kind}: no memory sample`)), 30_000);
        memoryWaiters.push((sample) => {
          clearTimeout(timer);
          resolveSample(sample);
        });
        child.kill('SIGUSR2');
      }),
    async stop() {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 8_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 2_000);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A running load process: send it requests, read its replies. */
export interface LoadHandle {
  pid: number;
  /** Resolves with the next reply of the given type. */
  next<T extends LoadReply['type']>(type: T): Promise<Extract<LoadReply, { type: T }>>;
  send(request: LoadRequest): void;
  /** Waits for the process to exit (killing it after `ms`). */
  done(ms?: number): Promise<void>;
  cpu(): number;
}

/**
 * Starts test/bench/load/main.ts for one scenario, pinned to the load core, with an IPC channel.
 * `onMark` runs synchronously when the load marks a phase, so the caller can sample the server's
 * CPU at that instant before the load carries on.
 */
export function startLoad(
  scenario: ScenarioName,
  params: object,
  onMark?: (name: string) => void,
): LoadHandle {
  const [command, args] = pinnedCommand(LOAD_CORE, [
    '--import',
    'tsx',
    join(benchDir, 'load', 'main.ts'),
    scenario,
    JSON.stringify(params),
  ]);
  const child = spawn(command, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const pending: LoadReply[] = [];
  const waiters: Array<{
    type: string;
    settle: (reply: LoadReply) => void;
    fail: (e: Error) => void;
  }> = [];
  let exited: Error | undefined;
  child.on('message', (raw) => {
    const reply = raw as LoadReply;
    if (reply.type === 'mark') {
      onMark?.(reply.name);
      child.send({ type: 'marked', name: reply.name } satisfies LoadRequest);
      return;
    }
    const index = waiters.findIndex((w) => w.type === reply.type || reply.type === 'error');
    if (index >= 0) waiters.splice(index, 1)[0]!.settle(reply);
    else pending.push(reply);
  });
  child.once('exit', (code, signal) => {
    exited = new Error(`load process (${scenario}) exited (${code ?? signal})`);
    for (const waiter of waiters.splice(0)) waiter.fail(exited);
  });

  return {
    pid: child.pid!,
    cpu: () => cpuSeconds(child.pid),
    send(request) {
      if (child.connected) child.send(request);
    },
    next<T extends LoadReply['type']>(type: T) {
      return new Promise<Extract<LoadReply, { type: T }>>((resolveReply, reject) => {
        const settle = (reply: LoadReply): void => {
          if (reply.type === 'error') reject(new Error(`load (${scenario}): ${reply.message}`));
          else resolveReply(reply as Extract<LoadReply, { type: T }>);
        };
        const index = pending.findIndex((r) => r.type === type || r.type === 'error');
        if (index >= 0) return settle(pending.splice(index, 1)[0]!);
        if (exited) return reject(exited);
        waiters.push({ type, settle, fail: reject });
      });
    },
    async done(ms = 30_000) {
      if (!(await waitForExit(child, ms))) {
        child.kill('SIGKILL');
        await waitForExit(child, 2_000);
      }
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
