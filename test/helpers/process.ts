/**
 * Runs the built backend (`node build/backend/main.js`, what `npm start` runs) as a child process
 * for process-level tests: its JSON log lines, its exit, and the port it announced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { track } from './cleanup.js';

export const MAIN = fileURLToPath(new URL('../../build/backend/main.js', import.meta.url));

/** Fails with a clear message when the backend has not been built. */
export function requireBuiltBackend(): string {
  if (!existsSync(MAIN)) {
    throw new Error(
      `${MAIN} is missing: run \`npm run build:backend\` first (\`npm test\` builds before running vitest)`,
    );
  }
  return MAIN;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BackendProcess {
  child: ChildProcess;
  /** Parsed JSON log lines from stdout, in order. */
  logs: Record<string, unknown>[];
  /** Lines written to stdout that were not JSON objects. */
  otherStdout: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process exits. */
  exited: Promise<Exit>;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeout?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Starts the backend with exactly `env` (plus PATH and HOME): nothing leaks in from the test
 * runner's own environment.
 */
export function spawnBackend(env: Record<string, string>): BackendProcess {
  const main = requireBuiltBackend();
  const child = track.process(
    spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: Record<string, unknown>[] = [];
  const otherStdout: string[] = [];
  const wakers = new Set<() => void>();
  let stderr = '';
  let exit: Exit | undefined;
  const wake = (): void => {
    for (const w of [...wakers]) w();
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed !== null && typeof parsed === 'object') {
          logs.push(parsed as Record<string, unknown>);
          wake();
          return;
        }
      } catch {
        // Not JSON: kept below.
      }
      otherStdout.push(line);
    });
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      wake();
    });
  });
  const describe = (): string =>
    `stderr: ${JSON.stringify(stderr)}; logs: ${JSON.stringify(logs)}; other stdout: ${JSON.stringify(otherStdout)}`;

  const waitForLog: BackendProcess['waitForLog'] = (predicate, what, timeout = 15_000) =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = logs.find(predicate);
        if (line) {
          done();
          resolve(line);
        } else if (exit) {
          done();
          reject(
            new Error(
              `the backend exited (${JSON.stringify(exit)}) before logging ${what}; ${describe()}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the backend logged no ${what} within ${timeout} ms; ${describe()}`));
      }, timeout);
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(check);
      };
      wakers.add(check);
      check();
    });

  return { child, logs, otherStdout, stderr: () => stderr, exited, waitForLog };
}

/** Resolves with the exit, or rejects when the process is still running after `timeout` ms. */
export function exitWithin(proc: BackendProcess, timeout: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the backend did not exit within ${timeout} ms`)),
      timeout,
    );
    void proc.exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

/** Resolves with the server's URL once it logged `"msg":"listening"` with its port. */
export async function listening(proc: BackendProcess, timeout = 15_000): Promise<string> {
  const line = await proc.waitForLog((l) => l.msg === 'listening', 'a "listening" line', timeout);
  if (typeof line.port !== 'number') {
    throw new Error(`the "listening" log line has no numeric port: ${JSON.stringify(line)}`);
  }
  return `http://127.0.0.1:${line.port}`;
}
