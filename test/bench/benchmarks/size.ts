/**
 * `size`: what the widget costs a page, in bytes, from the build (dist/widget/manifest.json says
 * which chunk is which): the loader, everything fetched before the launcher shows its count (the
 * loader and the first-load chunks), the panel, and the languages; against Lit + socket.io-client
 * alone (size/baseline-entry.ts) bundled plainly by the same Rollup configuration (the chunk build
 * of rollup.config.mjs, its input replaced). Targets (issue 9): loader <= 2 KB gzip, first load
 * <= 21 KB gzip.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { benchDir, repoRoot } from '../lib/process.js';
import type { BenchResult, RunOptions } from '../lib/runner.js';
import { ratio, round } from '../lib/stats.js';

const LOADER_TARGET = 2 * 1024;
const FIRST_LOAD_TARGET = 21 * 1024;
const TARGET = `loader <= ${LOADER_TARGET / 1024} KB gzip; first load <= ${FIRST_LOAD_TARGET / 1024} KB gzip`;

/** Gzip (-9) and brotli (q11) sizes, compressed as the backend serves them (backend/assets.ts). */
function compressed(code: Buffer): { gzip: number; brotli: number } {
  return {
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  };
}

/** Sum of each file's compressed sizes (each file is its own response). */
function total(files: Buffer[]): { gzip: number; brotli: number } {
  return files
    .map(compressed)
    .reduce((a, b) => ({ gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), {
      gzip: 0,
      brotli: 0,
    });
}

function skipped(reason: string): BenchResult {
  return {
    name: 'size',
    what: 'bytes of the widget a page fetches',
    figures: {},
    target: TARGET,
    met: false,
    skipped: reason,
  };
}

interface Manifest {
  entry: string;
  firstLoad: string[];
  panel: string;
  languages: Record<string, string>;
}

/** The chunk build of rollup.config.mjs (the one whose input is the boot module). */
export async function chunkConfig(): Promise<RollupOptions | undefined> {
  const file = join(repoRoot, 'rollup.config.mjs');
  if (!existsSync(file)) return undefined;
  const loaded = (await import(pathToFileURL(file).href)) as {
    widgetBuilds?: (options: { outDir: string }) => RollupOptions[];
  };
  return loaded.widgetBuilds?.({ outDir: mkdtempSync(join(tmpdir(), 'pagechat-size-')) })[0];
}

/** Bundles `input` with the chunk build's plugins (but its manifest); its chunks by file name. */
export async function bundleLike(
  config: RollupOptions,
  input: string,
): Promise<Map<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'pagechat-size-'));
  const previous = process.cwd();
  // The configuration's paths (tsconfig, inputs) are relative to the repository root.
  process.chdir(repoRoot);
  try {
    const plugins = [config.plugins ?? []]
      .flat()
      .filter(
        (p) => p && typeof p === 'object' && 'name' in p && p.name !== 'pagechat-widget-manifest',
      );
    const bundle = await rollup({ ...config, input, plugins, onwarn: () => undefined });
    const output = [config.output ?? {}].flat()[0] as OutputOptions;
    await bundle.write({ ...output, dir, sourcemap: false });
    await bundle.close();
    return new Map(
      readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => [f, readFileSync(join(dir, f))]),
    );
  } finally {
    process.chdir(previous);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function size(options: RunOptions): Promise<BenchResult> {
  const dist = join(repoRoot, 'dist');
  const manifestFile = join(dist, 'widget', 'manifest.json');
  if (!existsSync(manifestFile) || !existsSync(join(dist, 'widget.js'))) {
    return skipped('dist/widget is not built yet (npm run build:widget)');
  }
  const config = await chunkConfig();
  if (!config) return skipped('rollup.config.mjs exports no widgetBuilds()');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const chunk = (name: string): Buffer => readFileSync(join(dist, 'widget', name));

  const loader = compressed(readFileSync(join(dist, 'widget.js')));
  const firstLoad = total([
    readFileSync(join(dist, 'widget.js')),
    ...manifest.firstLoad.map(chunk),
  ]);
  const panel = compressed(chunk(manifest.panel));
  const languages = Object.values(manifest.languages).map((f) => compressed(chunk(f)).gzip);
  const baseline = total([
    ...(await bundleLike(config, join(benchDir, 'size', 'baseline-entry.ts'))).values(),
  ]);
  options.log(
    `size: loader ${loader.gzip} B, first load ${firstLoad.gzip} B gzip (${firstLoad.brotli} B br), ` +
      `panel ${panel.gzip} B; Lit + socket.io-client ${baseline.gzip} B gzip`,
  );
  const met = loader.gzip <= LOADER_TARGET && firstLoad.gzip <= FIRST_LOAD_TARGET;
  return {
    name: 'size',
    what: 'gzip -9 / brotli q11 bytes a page fetches, vs Lit + socket.io-client bundled plainly',
    figures: {
      loaderGzipBytes: loader.gzip,
      firstLoadGzipBytes: firstLoad.gzip,
      firstLoadBrotliBytes: firstLoad.brotli,
      firstLoadGzipKB: round(firstLoad.gzip / 1024, 1),
      panelGzipBytes: panel.gzip,
      languages: languages.length,
      languageGzipBytesMax: Math.max(...languages),
      ownFirstLoadGzipBytes: firstLoad.gzip - baseline.gzip,
    },
    baseline: {
      name: 'Lit + socket.io-client alone, same Rollup build',
      figures: {
        gzipBytes: baseline.gzip,
        brotliBytes: baseline.brotli,
        gzipKB: round(baseline.gzip / 1024, 1),
      },
    },
    ratios: {
      firstLoadGzipBytes: ratio(firstLoad.gzip, baseline.gzip),
      firstLoadBrotliBytes: ratio(firstLoad.brotli, baseline.brotli),
    },
    target: TARGET,
    met,
    notes: [
      'first load = the loader + the chunks fetched before the launcher can show its count; the panel and a language follow',
      'ownFirstLoadGzipBytes = first load - baseline: what pagechat adds to its two libraries (approximate; gzip is not additive)',
    ],
  };
}
