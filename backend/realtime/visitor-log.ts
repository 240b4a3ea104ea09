/**
 * Remembers which client address (as its keyed hash) each visitor was last seen with, so a ban
 * "by address" can cover it later. Written behind: handshakes only add to a buffer, and one batched
 * write per second stores it, so connecting costs no database round trip.
 */
import type { Logger } from '../logger.js';
import type { VisitorStore } from '../store/types.js';

const FLUSH_MS = 1000;
const MAX_BUFFERED = 5000;

export class VisitorLog {
  private buffer = new Map<
    string,
    { site: string; visitorId: string; addressHash: string; at: number }
  >();
  private readonly timer: ReturnType<typeof setInterval>;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: VisitorStore,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  seen(site: string, visitorId: string, addressHash: string): void {
    this.buffer.set(`${site}\0${visitorId}`, { site, visitorId, addressHash, at: this.clock() });
    if (this.buffer.size >= MAX_BUFFERED) void this.flush();
  }

  /** The newest address seen here, written yet or not. */
  buffered(site: string, visitorId: string): string | undefined {
    return this.buffer.get(`${site}\0${visitorId}`)?.addressHash;
  }

  flush(): Promise<void> {
    if (this.buffer.size === 0) return this.writing;
    const batch = [...this.buffer.values()];
    this.buffer = new Map();
    this.writing = this.writing.then(() =>
      this.store.seen(batch).catch((error: unknown) => {
        this.logger.warn(
          { err: error, visitors: batch.length },
          'recording visitor addresses failed',
        );
      }),
    );
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
