/**
 * `npm run bench [-- NAME...] [--quick] [--no-build] [--no-save]`: builds the backend, runs the
 * benchmarks (all, or those named), prints a table and one `BENCH {json}` line per benchmark, and
 * updates test/bench/results/. Benchmarks are measurements, not tests: a missed target is reported,
 * never an exit code. See docs/performance.md.
 *
 * Investigations without editing code: BENCH_PAGECHAT_ENV / BENCH_BASELINE_ENV add environment
 * variables to the servers (`K=V,K=V`), BENCH_PAGECHAT_NODE_FLAGS adds node flags to pagechat
 * (`--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_PAGECHAT_MAIN runs another build of pagechat (a
 * patched copy) instead of build/backend/main.js, BENCH_CAPACITY_VISITORS sets the capacity size.
 */
import { spawnSync } from 'node:child_process';
import { abuse } from './benchmarks/abuse.js';
import { capacity } from './benchmarks/capacity.js';
import { fanout } from './benchmarks/fanout.js';
import { handshakes } from './benchmarks/handshakes.js';
import { history } from './benchmarks/history.js';
import { latency } from './benchmarks/latency.js';
import { moderation } from './benchmarks/moderation.js';
import { pageload } from './benchmarks/pageload.js';
import { size } from './benchmarks/size.js';
import { storm } from './benchmarks/storm.js';
import { fileLimits, repoRoot } from './lib/process.js';
import { benchLine, machine, saveResults, table } from './lib/report.js';
import type { BenchResult, RunOptions } from './lib/runner.js';

/** Above this share of a core used by other processes, figures are flagged as unreliable. */
const CONTENDED_PERCENT = 30;

const BENCHMARKS: Record<string, (options: RunOptions) => Promise<BenchResult>> = {
  fanout,
  storm,
  capacity,
  latency,
  history,
  moderation,
  handshakes,
  abuse,
  size,
  pageload,
};

function parseEnv(raw: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return env;
}

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
  );
  process.exit(2);
}
const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);

const options: RunOptions = {
  quick: flags.has('--quick'),
  pagechatEnv: parseEnv(process.env.BENCH_PAGECHAT_ENV),
  baselineEnv: parseEnv(process.env.BENCH_BASELINE_ENV),
  pagechatNodeFlags: (process.env.BENCH_PAGECHAT_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  log: (line) => console.log(`  ${line}`),
};

const host = machine();
const limits = fileLimits();
console.log(
  `pagechat benchmarks on ${host.cpu}, ${host.cores} cores, Node ${host.node}, ` +
    `socket.io ${host.socketIo}; ${host.pinned}; open files ${limits.soft}/${limits.hard}`,
);
if (Object.keys(options.pagechatEnv).length > 0) {
  console.log(`pagechat env: ${JSON.stringify(options.pagechatEnv)}`);
}
if (Object.keys(options.baselineEnv).length > 0) {
  console.log(`baseline env: ${JSON.stringify(options.baselineEnv)}`);
}

if (!flags.has('--no-build') && selected.some((n) => n !== 'size')) {
  console.log('building the backend (npm run build:backend)');
  const build = spawnSync('npm', ['run', '--silent', 'build:backend'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    console.error(`npm run build:backend failed:\n${build.stdout}${build.stderr}`);
    process.exit(1);
  }
}

const results: BenchResult[] = [];
let errors = 0;
for (const name of selected) {
  const started = performance.now();
  console.log(`\n${name}`);
  let result: BenchResult;
  try {
    result = await BENCHMARKS[name]!(options);
  } catch (error) {
    errors++;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  ${name} failed: ${message}`);
    result = {
      name,
      what: name,
      figures: {},
      target: '',
      met: false,
      skipped: `error: ${message}`,
    };
  }
  const others = result.figures.otherProcessesCpuPercent;
  if (typeof others === 'number' && others > CONTENDED_PERCENT) {
    result.notes = [
      ...(result.notes ?? []),
      `CONTENDED: other processes used ${others}% of a core while measuring; rerun on a quiet machine`,
    ];
    console.log(`  warning: measured on a busy machine (${others}% of a core used by others)`);
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(benchLine(result));
  results.push(result);
}

console.log(`\n${table(results)}\n`);
if (options.quick || flags.has('--no-save')) {
  console.log('results not saved (--quick or --no-save)');
} else {
  saveResults(
    results.filter((r) => !r.skipped?.startsWith('error:')),
    host,
  );
  console.log('results saved to test/bench/results/ (latest.json, results.md)');
}
process.exit(errors > 0 ? 1 : 0);
