/**
 * The runner's side of one measurement: start a server, run a load scenario against it, collect the
 * load's figures and the server's CPU use between the load's marks, stop both. Also the shape every
 * benchmark returns and the options the command line passes down.
 */
import type { ScenarioName, ScenarioResult } from './messages.js';
import {
  machineBusySeconds,
  startLoad,
  startServer,
  waitForQuiet,
  type ServerKind,
  type ServerOptions,
} from './process.js';
import { round } from './stats.js';

export type Figures = Record<string, number | string | boolean | null>;

/** What one benchmark reports; printed as a table row and as a `BENCH {json}` line. */
export interface BenchResult {
  name: string;
  /** What was measured, in one line. */
  what: string;
  figures: Figures;
  baseline?: { name: string; figures: Figures };
  /** pagechat / baseline for each figure that has a baseline. */
  ratios?: Record<string, number>;
  /** The issue's target, in words. */
  target: string;
  met: boolean;
  /** Set when the benchmark could not run (and `met` is false). */
  skipped?: string;
  notes?: string[];
  /** Raw figures of each run, for the results file. */
  runs?: unknown;
}

export interface RunOptions {
  /** Smaller loads, for a quick check that everything works; figures are not comparable. */
  quick: boolean;
  /** Extra environment for pagechat (investigations), from BENCH_PAGECHAT_ENV. */
  pagechatEnv: Record<string, string>;
  /** Extra environment for the baselines (investigations), from BENCH_BASELINE_ENV. */
  baselineEnv: Record<string, string>;
  /** Extra node flags for pagechat (for example --cpu-prof), from BENCH_PAGECHAT_NODE_FLAGS. */
  pagechatNodeFlags: string[];
  log: (line: string) => void;
}

export interface Measured<R extends ScenarioResult> {
  result: R;
  /** Server CPU, % of one core, between `NAME:start` and `NAME:end` marks, by NAME. */
  serverCpu: Record<string, number>;
  /**
   * CPU used by every other process on the machine (not the server, not the load), % of one core,
   * by NAME: noise that may have slowed the measurement.
   */
  otherCpu: Record<string, number>;
}

interface Mark {
  wall: number;
  server: number;
  load: number;
  machine: number;
  self: number;
}

const selfCpu = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/** Environment and flags for a server of `kind` under `options`. */
export function serverOptions(
  kind: ServerKind,
  options: RunOptions,
  extra: ServerOptions = {},
): ServerOptions {
  const env = kind === 'pagechat' ? options.pagechatEnv : options.baselineEnv;
  return {
    ...extra,
    env: { ...extra.env, ...env },
    nodeFlags: kind === 'pagechat' ? options.pagechatNodeFlags : [],
  };
}

/** One server, one load scenario, figures back. */
export async function measure<R extends ScenarioResult>(
  kind: ServerKind,
  scenario: ScenarioName,
  params: object,
  options: RunOptions,
  extra: ServerOptions = {},
): Promise<Measured<R>> {
  await waitForQuiet(30, 60_000, options.log);
  const server = await startServer(kind, serverOptions(kind, options, extra));
  const marks = new Map<string, Mark>();
  const load = startLoad(scenario, { ...params, url: server.url }, (name) => {
    marks.set(name, {
      wall: performance.now(),
      server: server.cpu(),
      load: load.cpu(),
      machine: machineBusySeconds(),
      self: selfCpu(),
    });
  });
  try {
    const reply = await load.next('result');
    const serverCpu: Record<string, number> = {};
    const otherCpu: Record<string, number> = {};
    for (const [name, start] of marks) {
      if (!name.endsWith(':start')) continue;
      const phase = name.slice(0, -':start'.length);
      const end = marks.get(`${phase}:end`);
      if (!end) continue;
      const seconds = (end.wall - start.wall) / 1000;
      const serverSeconds = end.server - start.server;
      const others =
        end.machine -
        start.machine -
        serverSeconds -
        (end.load - start.load) -
        (end.self - start.self);
      serverCpu[phase] = round((serverSeconds / seconds) * 100, 1);
      otherCpu[phase] = round(Math.max(0, (others / seconds) * 100), 1);
    }
    return { result: reply.data as R, serverCpu, otherCpu };
  } catch (error) {
    const tail = server.stderr.slice(-20).join('\n');
    throw new Error(`${kind}/${scenario}: ${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  } finally {
    await load.done();
    await server.stop();
  }
}

/** ABBA order over `rounds`: alternating which server goes first cancels slow drifts. */
export function alternate<T>(a: T, b: T, rounds: number): T[] {
  const order: T[] = [];
  for (let r = 0; r < rounds; r++) order.push(...(r % 2 === 0 ? [a, b] : [b, a]));
  return order;
}
