/**
 * Schemas for every inbound payload (zod). Domain code only ever sees what these return; anything
 * else is answered with `invalid_payload` or `too_long` before it reaches a room.
 */
import { z } from 'zod';
import {
  LIMITS,
  foldLineBreaks,
  hasBidiControl,
  hasTextControl,
  hasVisibleLetter,
  isWellFormed,
  type ErrorCode,
} from './protocol.js';
import { characterCount, hasControlCharacters, normalizeRoomKey } from './rooms.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

const invalid = (message: string): Parsed<never> => ({
  ok: false,
  code: 'invalid_payload',
  message,
});

// Unknown extra fields are allowed (and dropped), so later protocol additions stay compatible.
const joinSchema = z.object({ room: z.string() });
const sendSchema = z.object({
  text: z.string(),
  nonce: z.string().min(1).max(LIMITS.nonceMax).optional(),
});
const nameSchema = z.object({ name: z.string() });
const typingSchema = z.object({ typing: z.boolean() });
const leaveSchema = z.union([z.object({}), z.undefined(), z.null()]);
const authSchema = z.object({
  token: z.string().max(LIMITS.tokenMax).optional().catch(undefined),
  name: z.string().optional().catch(undefined),
});

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'payload does not match the protocol';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

export function parseJoin(payload: unknown): Parsed<{ room: string }> {
  const parsed = joinSchema.safeParse(payload);
  if (!parsed.success) return invalid(`join expects { room: string }; ${describe(parsed.error)}`);
  const room = normalizeRoomKey(parsed.data.room);
  return room.ok ? { ok: true, value: { room: room.room } } : invalid(room.reason);
}

export function parseSend(
  payload: unknown,
  maxTextLength: number,
): Parsed<{ text: string; nonce: string | undefined }> {
  const parsed = sendSchema.safeParse(payload);
  if (!parsed.success) {
    return invalid(
      `message:send expects { text: string, nonce?: string of 1 to ${LIMITS.nonceMax} characters }; ${describe(parsed.error)}`,
    );
  }
  if (!isWellFormed(parsed.data.text)) return invalid('text must be well-formed UTF-16');
  const text = foldLineBreaks(parsed.data.text).trim();
  if (text.length === 0) return invalid('text must not be empty');
  if (hasTextControl(text)) {
    return invalid('text must not contain control characters other than tab and line feed');
  }
  if (characterCount(text) > maxTextLength) {
    return {
      ok: false,
      code: 'too_long',
      message: `text must be at most ${maxTextLength} characters`,
    };
  }
  return { ok: true, value: { text, nonce: parsed.data.nonce } };
}

/** Checks a display name against the protocol: 1 to 40 characters after trimming, no control characters. */
export function checkName(raw: string): Parsed<string> {
  const name = raw.trim();
  if (name.length === 0) return invalid('name must not be empty');
  if (!isWellFormed(name)) return invalid('name must be well-formed UTF-16');
  if (hasControlCharacters(name)) return invalid('name must not contain control characters');
  if (hasBidiControl(name)) return invalid('name must not contain bidirectional controls');
  if (!hasVisibleLetter(name)) return invalid('name must contain a visible letter or digit');
  if (characterCount(name) > LIMITS.nameMax) {
    return {
      ok: false,
      code: 'too_long',
      message: `name must be at most ${LIMITS.nameMax} characters`,
    };
  }
  return { ok: true, value: name };
}

export function parseName(payload: unknown): Parsed<string> {
  const parsed = nameSchema.safeParse(payload);
  if (!parsed.success)
    return invalid(`name:set expects { name: string }; ${describe(parsed.error)}`);
  return checkName(parsed.data.name);
}

export function parseTyping(payload: unknown): Parsed<boolean> {
  const parsed = typingSchema.safeParse(payload);
  return parsed.success ? { ok: true, value: parsed.data.typing } : invalid(describe(parsed.error));
}

export function parseLeave(payload: unknown): Parsed<null> {
  return leaveSchema.safeParse(payload).success
    ? { ok: true, value: null }
    : invalid('leave expects {}');
}

/** The handshake `auth` object; malformed fields are treated as absent, as the protocol says. */
export function parseAuth(auth: unknown): { token: string | undefined; name: string | undefined } {
  const parsed = authSchema.safeParse(auth ?? {});
  if (!parsed.success) return { token: undefined, name: undefined };
  const name = parsed.data.name === undefined ? undefined : checkName(parsed.data.name);
  return { token: parsed.data.token, name: name?.ok ? name.value : undefined };
}
