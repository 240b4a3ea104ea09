/**
 * Schemas of the owner and operator API (ADMIN-API.md): every body, path parameter and query it
 * takes, and every shape it answers. The same schemas validate requests and generate the OpenAPI
 * document, and each is checked at compile time against the contract's TypeScript types.
 */
import { z } from '@hono/zod-openapi';
import {
  SETTINGS_LIMITS,
  type AuditEntry,
  type Ban,
  type RoomsPayload,
  type Site,
  type SiteSettings,
} from '../admin-protocol.js';
import { ERROR_CODES, LIMITS, type Message } from '../protocol.js';
import { ORIGIN_PATTERN } from '../sites/rules.js';

/** Compile-time check that a schema's output is exactly the contract's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function exact<T>() {
  return <S extends z.ZodType>(schema: S & (Same<z.output<S>, T> extends true ? unknown : never)) =>
    schema;
}

const settingsFields = {
  origins: z
    .array(
      z.string().regex(ORIGIN_PATTERN, 'an origin such as https://acme.com or https://*.acme.com'),
    )
    .max(SETTINGS_LIMITS.originsMax)
    .openapi({ example: ['https://acme.com', 'https://*.acme.com'] }),
  welcome: z.string().trim().min(1).max(SETTINGS_LIMITS.welcomeMax).nullable(),
  slowModeMs: z.number().int().min(0).max(SETTINGS_LIMITS.slowModeMaxMs),
  blockedWords: z
    .array(z.string().trim().min(1).max(SETTINGS_LIMITS.blockedWordMax))
    .max(SETTINGS_LIMITS.blockedWordsMax),
  readOnly: z.boolean(),
};

export const SiteSettingsSchema = exact<SiteSettings>()(
  z.object(settingsFields).openapi('SiteSettings'),
);
export const SettingsPatchSchema = exact<Partial<SiteSettings>>()(
  z.strictObject(settingsFields).partial().openapi('SiteSettingsPatch'),
);

export const SiteSchema = exact<Site>()(
  z
    .object({ site: z.string(), createdAt: z.number().int(), settings: SiteSettingsSchema })
    .openapi('Site'),
);

export const VisitorSchema = z.object({ id: z.string(), name: z.string() });
export const MessageSchema = exact<Message>()(
  z
    .object({
      id: z.string(),
      room: z.string(),
      visitor: VisitorSchema,
      text: z.string(),
      ts: z.number().int(),
    })
    .openapi('Message'),
);

export const BanSchema = exact<Ban>()(
  z
    .object({
      id: z.string(),
      visitorId: z.string(),
      byAddress: z.boolean(),
      reason: z.string().nullable(),
      createdAt: z.number().int(),
      expiresAt: z.number().int().nullable(),
    })
    .openapi('Ban'),
);

export const AuditEntrySchema = exact<AuditEntry>()(
  z
    .object({
      id: z.string(),
      at: z.number().int(),
      actor: z.enum(['operator', 'owner']),
      action: z.string(),
      target: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    })
    .openapi('AuditEntry'),
);

export const RoomsSchema = exact<RoomsPayload>()(
  z
    .object({
      visitors: z.number().int(),
      rooms: z.array(
        z.object({ room: z.string(), count: z.number().int(), readOnly: z.boolean() }),
      ),
    })
    .openapi('Rooms'),
);

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum([
        'invalid_payload',
        'invalid_site',
        'unauthorized',
        'forbidden',
        'not_found',
        'site_taken',
        'rate_limited',
        'internal',
      ]),
      message: z.string(),
    }),
  })
  .openapi('Error');

/** Errors of the public wire protocol (the presence endpoint answers with these). */
export const WireErrorSchema = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) })
  .openapi('WireError');

// Requests.

export const SiteParam = z.object({
  site: z.string().openapi({ param: { name: 'site', in: 'path' }, example: 'acme' }),
});
export const SiteAndIdParams = SiteParam.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
export const SiteAndVisitorParams = SiteParam.extend({
  visitorId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'visitorId', in: 'path' } }),
});

export const CreateSiteBody = z
  .strictObject({
    site: z.string().openapi({ example: 'acme' }),
    settings: SettingsPatchSchema.optional(),
  })
  .openapi('CreateSite');

export const RoomKey = z
  .string()
  .min(1)
  .max(LIMITS.roomMax * 2);

export const RoomStateBody = z
  .strictObject({ room: RoomKey, readOnly: z.boolean() })
  .openapi('RoomState');

/** A whole number in a query string, between `min` and `max`, `fallback` when absent. */
const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((n) => n ?? fallback)
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback });

const cursor = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .openapi({ description: 'the `next` of the previous page' });

export const RoomsQuery = z.object({ limit: queryInt(1, 1000, 100) });
export const MessagesQuery = z.object({
  room: RoomKey.optional(),
  before: cursor,
  limit: queryInt(1, 200, 50),
});
export const AuditQuery = z.object({ before: cursor, limit: queryInt(1, 200, 50) });
export const ExportQuery = z.object({ room: RoomKey.optional() });
export const PresenceQuery = z.object({ room: z.string().optional() });

/** Ten years, the longest ban duration accepted. */
const BAN_MAX_MS = 10 * 365 * 24 * 3600 * 1000;

export const BanBody = z
  .strictObject({
    visitorId: z.string().min(1).max(64).optional(),
    messageId: z.string().min(1).max(64).optional(),
    durationMs: z.number().int().positive().max(BAN_MAX_MS).optional(),
    byAddress: z.boolean().optional(),
    reason: z.string().trim().max(SETTINGS_LIMITS.reasonMax).optional(),
  })
  .refine((b) => (b.visitorId === undefined) !== (b.messageId === undefined), {
    message: 'give exactly one of visitorId and messageId',
  })
  .openapi('CreateBan');
