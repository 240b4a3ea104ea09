/**
 * The protocol's text rules as the widget checks them before sending: lengths in code points
 * (as the server counts, so an emoji is one character) and no control characters in names.
 * Checking here gives the visitor an answer at once; the server checks again regardless.
 */
import { LIMITS, type ErrorCode } from '../backend/protocol.js';

/** Length in Unicode code points. */
export function characterCount(s: string): number {
  return [...s].length;
}

// C0/C1 controls, DEL, line and paragraph separators: refused in names by the protocol.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why a message text cannot be sent as it is, or `undefined` when it can (after trimming). */
export function textProblem(text: string, max: number): 'empty' | 'too_long' | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'empty';
  return characterCount(trimmed) > max ? 'too_long' : undefined;
}

/** Why a display name would be refused, as the protocol's error code, or `undefined`. */
export function nameProblem(name: string): ErrorCode | undefined {
  const trimmed = name.trim();
  if (trimmed === '' || CONTROL.test(trimmed)) return 'invalid_payload';
  return characterCount(trimmed) > LIMITS.nameMax ? 'too_long' : undefined;
}
