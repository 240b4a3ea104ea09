/**
 * Expectations shared by the suites, written from PROTOCOL.md: the exact shape of a failure, of a
 * session, of a visitor name.
 */
import { expect } from 'vitest';
import type { ErrorCode, Message, Visitor } from '../../backend/protocol.js';

/** A visitor id as the protocol issues it: a nanoid of 21 characters of `A-Za-z0-9_-`. */
export const VISITOR_ID = /^[A-Za-z0-9_-]{21}$/;

// C0 and C1 control characters and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Asserts `ack` is exactly `{ ok: false, error: { code, message } }` with a non-empty message;
 * `rate_limited` must also carry a positive `retryAfterMs`, and no other code may.
 */
export function expectFailure(ack: unknown, code: ErrorCode): void {
  const error: Record<string, unknown> = { code, message: expect.stringMatching(/\S/) };
  if (code === 'rate_limited') error.retryAfterMs = expect.any(Number);
  expect(ack).toEqual({ ok: false, error });
  if (code === 'rate_limited') {
    const retryAfterMs = (ack as { error: { retryAfterMs: number } }).error.retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(Number.isFinite(retryAfterMs)).toBe(true);
  }
}

/** Asserts `name` is a display name the protocol allows: 1 to 40 characters, trimmed, no controls. */
export function expectValidName(name: unknown): void {
  expect(typeof name).toBe('string');
  const s = name as string;
  expect(s.trim()).toBe(s);
  expect(s.length).toBeGreaterThan(0);
  expect([...s].length).toBeLessThanOrEqual(40);
  expect(CONTROL.test(s)).toBe(false);
}

/** Asserts `message` has exactly the protocol's Message shape, with the given fields. */
export function expectMessage(
  message: unknown,
  expected: { room: string; visitor: Visitor; text: string },
  sentBetween?: { from: number; to: number },
): asserts message is Message {
  expect(message).toEqual({
    id: expect.stringMatching(/\S/),
    room: expected.room,
    visitor: expected.visitor,
    text: expected.text,
    ts: expect.any(Number),
  });
  if (sentBetween) {
    const { ts } = message as Message;
    expect(Number.isInteger(ts)).toBe(true);
    expect(ts).toBeGreaterThanOrEqual(sentBetween.from);
    expect(ts).toBeLessThanOrEqual(sentBetween.to);
  }
}
