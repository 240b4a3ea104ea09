/**
 * Entry point of a load process: `node --import tsx test/bench/load/main.ts SCENARIO PARAMS_JSON`.
 * Runs one scenario against the server named in the parameters and sends its figures to the
 * runner over the IPC channel, then exits. It never decides pass or fail; the runner does.
 */
import type {
  AbuseParams,
  CapacityParams,
  FanoutParams,
  HandshakesParams,
  HistoryParams,
  LatencyParams,
  ModerationParams,
  ScenarioName,
  ScenarioResult,
  StormParams,
} from '../lib/messages.js';
import { abuse } from './abuse.js';
import { capacity } from './capacity.js';
import { ipcControl } from './clients.js';
import { fanout } from './fanout.js';
import { handshakes } from './handshakes.js';
import { history } from './history.js';
import { latency } from './latency.js';
import { moderation } from './moderation.js';
import { storm } from './storm.js';

const [scenario, rawParams] = process.argv.slice(2) as [ScenarioName, string];
const params: unknown = JSON.parse(rawParams);
const ctl = ipcControl();

async function run(): Promise<ScenarioResult> {
  switch (scenario) {
    case 'fanout':
      return fanout(params as FanoutParams, ctl);
    case 'storm':
      return storm(params as StormParams, ctl);
    case 'capacity':
      return capacity(params as CapacityParams, ctl);
    case 'latency':
      return latency(params as LatencyParams, ctl);
    case 'history':
      return history(params as HistoryParams, ctl);
    case 'moderation':
      return moderation(params as ModerationParams, ctl);
    case 'handshakes':
      return handshakes(params as HandshakesParams, ctl);
    case 'abuse':
      return abuse(params as AbuseParams);
    default: {
      const unknown: never = scenario;
      throw new Error(`unknown scenario ${String(unknown)}`);
    }
  }
}

// Open sockets would keep the process alive; once the figures are handed over, leave.
run().then(
  async (data) => {
    await ctl.send({ type: 'result', data });
    process.exit(0);
  },
  async (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    await ctl.send({ type: 'error', message });
    process.exit(1);
  },
);
