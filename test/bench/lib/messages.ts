/**
 * What the benchmark runner and a load process say to each other over the IPC channel: the
 * parameters of each scenario and the figures each one sends back. Times are milliseconds.
 */

export type ScenarioName =
  'fanout' | 'storm' | 'capacity' | 'latency' | 'history' | 'moderation' | 'handshakes' | 'abuse';

/** Runner to load. */
export type LoadRequest =
  /** The runner has sampled what it wanted at a mark; the load carries on. */
  | { type: 'marked'; name: string }
  /** Capacity: the runner has measured; disconnect everything and exit. */
  | { type: 'release' };

/** Load to runner. */
export type LoadReply =
  /** A phase boundary; the load waits for `marked` before it goes on. */
  | { type: 'mark'; name: string }
  /** Capacity: every connection is open and joined. */
  | { type: 'ready'; data: CapacityResult }
  | { type: 'result'; data: ScenarioResult }
  | { type: 'error'; message: string };

/** Summary of a set of latency samples. */
export interface LatencySummary {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface CommonParams {
  /** Server base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** Socket.IO namespace (the site), with its slash. */
  namespace: string;
  /** Connections opened at once while connecting. */
  connectConcurrency: number;
  /** Send a `nonce` with each message, as a retrying client does. */
  nonce: boolean;
}

export interface FanoutParams extends CommonParams {
  receivers: number;
  /** Messages per measured round. */
  messages: number;
  /** Measured rounds (plus one short warm-up round). */
  rounds: number;
  /** `message:send` requests in flight at once from the one sender. */
  window: number;
  /** Quiet time after the joins, so presence traffic is over before measuring. */
  settleMs: number;
}

export interface FanoutRound {
  deliveries: number;
  expected: number;
  elapsedMs: number;
  deliveriesPerSec: number;
  latency: LatencySummary;
}

export interface FanoutResult {
  kind: 'fanout';
  connectMs: number;
  rounds: FanoutRound[];
  loadCpuPercent: number;
}

export interface StormParams extends CommonParams {
  visitors: number;
  /** How long to keep listening after the last client settled, to count late frames. */
  tailMs: number;
  /** Give up after this long. */
  timeoutMs: number;
}

export interface StormResult {
  kind: 'storm';
  connectMs: number;
  settled: boolean;
  /** First `join` sent to the last client holding the exact count. */
  settleMs: number;
  /** First `join` sent to the last join ack. */
  joinsMs: number;
  /** presence + joined + left frames received, over the whole run (including the tail). */
  frames: number;
  framesPerVisitor: number;
  byEvent: Record<string, number>;
  /** Clients whose final count is not the exact count. */
  wrongAtEnd: number;
  loadCpuPercent: number;
}

export interface CapacityParams extends CommonParams {
  visitors: number;
  rooms: number;
}

export interface CapacityResult {
  kind: 'capacity';
  connected: number;
  failed: number;
  connectMs: number;
}

export interface LatencyParams extends CommonParams {
  rooms: number;
  perRoom: number;
  /** Milliseconds between two messages of one room. */
  intervalMs: number;
  warmupMs: number;
  /** Measured rounds, back to back, each `roundMs` long; figures are per round. */
  rounds: number;
  roundMs: number;
  settleMs: number;
}

export interface LatencyRound {
  sent: number;
  delivered: number;
  expected: number;
  latency: LatencySummary;
  ackLatency: LatencySummary;
  /** How late the load's own send timer fired, a bound on how much of the latency is the load's. */
  schedulerLag: LatencySummary;
}

export interface LatencyResult {
  kind: 'latency';
  connectMs: number;
  sendRatePerSec: number;
  rounds: LatencyRound[];
  loadCpuPercent: number;
}

export interface HistoryParams extends CommonParams {
  rooms: number;
  perRoom: number;
  /** Requests in flight per client. */
  inFlight: number;
  warmupMs: number;
  /** Measured windows, back to back, each `roundMs` long. */
  rounds: number;
  roundMs: number;
}

export interface HistoryRound {
  acked: number;
  failed: number;
  messagesPerSec: number;
  delivered: number;
  ackLatency: LatencySummary;
}

export interface HistoryResult {
  kind: 'history';
  connectMs: number;
  rounds: HistoryRound[];
  loadCpuPercent: number;
}

export interface ModerationParams extends CommonParams {
  /** Operator token the server was started with (PAGECHAT_ADMIN_TOKEN). */
  operatorToken: string;
  visitors: number;
  rooms: number;
  /** Bans measured. */
  bans: number;
  /** Every `tabsEvery`-th banned visitor has a second tab (two sockets to disconnect). */
  tabsEvery: number;
}

export interface ModerationResult {
  kind: 'moderation';
  connectMs: number;
  /** From sending the ban request to the last covered socket disconnected. */
  banToDisconnect: LatencySummary;
  /** From sending the ban request to its `201` answer. */
  banRequest: LatencySummary;
  /** Covered sockets that saw `kicked` before their disconnect, of all covered sockets. */
  kickedFirst: number;
  covered: number;
  online: number;
  loadCpuPercent: number;
}

export interface HandshakesParams extends CommonParams {
  /** Operator token, to claim a site with settings and bans (pagechat only). */
  operatorToken: string | null;
  /** Handshakes measured. */
  handshakes: number;
  /** Handshakes in flight at once. */
  inFlight: number;
  /** The `Origin` header each handshake sends. */
  origin: string;
}

export interface HandshakesResult {
  kind: 'handshakes';
  completed: number;
  failed: number;
  elapsedMs: number;
  handshakesPerSec: number;
  latency: LatencySummary;
  loadCpuPercent: number;
}

export type AbuseAttack = 'churn' | 'handshakes' | 'namespaces' | 'slow-readers' | 'invalid';

export interface AbuseParams {
  url: string;
  site: string;
  attack: AbuseAttack;
  durationMs: number;
  /** The attacker's one client address (a loopback address). */
  address: string;
}

export interface AbuseResult {
  attack: AbuseAttack;
  /** What the attacker sent and what the server let through. */
  counts: Record<string, number>;
}

export type ScenarioResult =
  | FanoutResult
  | StormResult
  | CapacityResult
  | LatencyResult
  | HistoryResult
  | ModerationResult
  | HandshakesResult
  | AbuseResult;
