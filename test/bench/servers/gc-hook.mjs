/**
 * Preloaded into a benchmarked server (`node --expose-gc --import .../gc-hook.mjs server.js`) so the
 * runner can read its memory without the product exposing anything new: on SIGUSR2 it runs full
 * collections, then prints `process.memoryUsage()` as one JSON line on stderr. With
 * BENCH_HEAPSNAPSHOT_DIR set it also writes a heap snapshot there each time (investigations only:
 * a snapshot of a large heap takes seconds).
 */
import { join } from 'node:path';
import process from 'node:process';
import { writeHeapSnapshot } from 'node:v8';

const gc = /** @type {undefined | (() => void)} */ (globalThis.gc);

process.on('SIGUSR2', () => {
  if (gc) {
    // Twice: the first pass can leave weakly held and finalizable objects for the second.
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  const dir = process.env.BENCH_HEAPSNAPSHOT_DIR;
  if (dir) writeHeapSnapshot(join(dir, `${process.pid}-${Date.now()}.heapsnapshot`));
  process.stderr.write(`${JSON.stringify({ benchMemory: usage })}\n`);
});
