/**
 * The owner and operator HTTP API (ADMIN-API.md) and the public presence endpoint, on Hono with
 * zod-openapi: each route is declared once with its schemas, which both validate the request and
 * generate `GET /api/v1/openapi.json`. Who may call what is decided here; what a call does is
 * `SiteService`'s job, whose `ApiError`s become `{ error: { code, message } }` with their status.
 */
import { createRoute, OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { API_STATUS, type ApiErrorBody, type RoomsPayload } from '../admin-protocol.js';
import type { Limiter } from '../ephemeral/types.js';
import type { Logger } from '../logger.js';
import type { HttpErrorBody, PresenceResponse } from '../protocol.js';
import { checkSiteName, normalizeRoomKey } from '../rooms.js';
import { bearerCredential } from '../sites/keys.js';
import { ApiError, type Principal, type SiteService } from '../sites/service.js';
import {
  AuditEntrySchema,
  AuditQuery,
  BanBody,
  BanSchema,
  CreateSiteBody,
  ErrorSchema,
  ExportQuery,
  MessageSchema,
  MessagesQuery,
  PresenceQuery,
  RoomsQuery,
  RoomsSchema,
  RoomStateBody,
  SettingsPatchSchema,
  SiteAndIdParams,
  SiteAndVisitorParams,
  SiteParam,
  SiteSchema,
  WireErrorSchema,
} from './schemas.js';

/** The longest request body the API reads. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ApiDeps {
  service: SiteService;
  /** Live rooms of a site: distinct visitors on the site, busiest rooms first, with readOnly. */
  rooms(site: string, limit: number): Promise<RoomsPayload>;
  /** Whether this server serves `site` (the public presence endpoint). */
  serves(site: string): Promise<boolean>;
  /** Distinct visitors in a room right now. */
  count(site: string, room: string): Promise<number>;
  signup: 'open' | 'closed';
  /** Keyed hash of the request's client address. */
  addressOf(c: Context): string;
  limiters: { authFailure: Limiter; claim: Limiter };
  logger: Logger;
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const errors = (...statuses: (400 | 401 | 403 | 404 | 409 | 429)[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorSchema, 'an error with its code')]));
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});
const owner = { security: [{ bearer: [] }] };
/** What a request on one site may answer besides success. */
const OWNER_ERRORS = errors(400, 401, 403, 404, 429);
const route = <R extends RouteConfig>(config: R) => createRoute(config);

function errorBody(code: ApiErrorBody['error']['code'], message: string): ApiErrorBody {
  return { error: { code, message } };
}

export function createApi(deps: ApiDeps): OpenAPIHono {
  const { service, limiters } = deps;
  const app = new OpenAPIHono({
    // A request that does not match its schemas is answered 400 invalid_payload, naming the field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return c.json(
        errorBody('invalid_payload', `${where}${issue?.message ?? 'does not match the API'}`),
        400,
      );
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'a site key (its own site) or the operator token (every site)',
  });

  // Read by the widget on customers' pages and by owners' tools: any origin, bearer keys only.
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAge: 86_400,
    }),
  );
  // No request of this API comes near this; a longer body (or an endless chunked one) is refused
  // as soon as it passes the limit, and its connection closed (see unread-body.ts).
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json<ApiErrorBody>(
          {
            error: {
              code: 'invalid_payload',
              message: `the body is larger than ${MAX_BODY_BYTES / 1024} KB`,
            },
          },
          400,
        ),
    }),
  );

  /** The site named in the path, or `invalid_site`. */
  const siteOf = (site: string): string => {
    if (checkSiteName(site) !== 'ok') {
      throw new ApiError('invalid_site', 'the site name is not valid or is reserved');
    }
    return site;
  };

  /** The credentials of the request; repeated failures from one address are refused first. */
  const principal = async (c: Context, optional = false): Promise<Principal | undefined> => {
    const address = deps.addressOf(c);
    const blocked = await limiters.authFailure.check(address);
    if (!blocked.ok) {
      throw new ApiError(
        'rate_limited',
        'too many failed credentials from this address',
        blocked.retryAfterMs,
      );
    }
    const header = c.req.header('Authorization');
    const credential = bearerCredential(header);
    if (credential === undefined) {
      if (optional && header === undefined) return undefined;
      throw new ApiError('unauthorized', 'send Authorization: Bearer <site key or operator token>');
    }
    const who = await service.authenticate(credential);
    if (!who) {
      await limiters.authFailure.take(address);
      if (optional) return undefined;
      throw new ApiError('unauthorized', 'the key or token is not valid');
    }
    return who;
  };
  const asOwner = async (c: Context, site: string) =>
    service.authorize((await principal(c))!, siteOf(site));
  const asOperator = async (c: Context): Promise<void> => {
    const who = (await principal(c))!;
    if (who.actor !== 'operator') throw new ApiError('forbidden', 'only the operator may do this');
  };

  app.openapi(
    route({
      method: 'post',
      path: '/sites',
      summary: 'Claim a site (the operator; anyone when signup is open)',
      request: body(CreateSiteBody),
      responses: {
        201: json(
          z.object({ site: SiteSchema, key: z.string() }),
          'the site and its key, shown once',
        ),
        ...errors(400, 401, 403, 409, 429),
      },
      ...owner,
    }),
    async (c) => {
      const { site, settings } = c.req.valid('json');
      siteOf(site);
      const who = await principal(c, deps.signup === 'open');
      let actor: 'operator' | 'owner' = 'operator';
      if (who?.actor !== 'operator') {
        if (deps.signup !== 'open') {
          throw who
            ? new ApiError('forbidden', 'signup is closed: only the operator creates sites')
            : new ApiError('unauthorized', 'signup is closed: send the operator token');
        }
        const allowed = await limiters.claim.take(deps.addressOf(c));
        if (!allowed.ok) {
          throw new ApiError(
            'rate_limited',
            'too many sites claimed from this address',
            allowed.retryAfterMs,
          );
        }
        actor = 'owner';
      }
      return c.json(await service.createSite(site, settings, actor), 201);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites',
      summary: 'List every claimed site (the operator)',
      responses: {
        200: json(z.object({ sites: z.array(SiteSchema) }), 'the sites'),
        ...errors(401, 403, 429),
      },
      ...owner,
    }),
    async (c) => {
      await asOperator(c);
      return c.json({ sites: await service.listSites() }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}',
      summary: 'A site and its settings',
      request: { params: SiteParam },
      responses: { 200: json(SiteSchema, 'the site'), ...OWNER_ERRORS },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      await asOwner(c, site);
      return c.json(await service.getSite(site), 200);
    },
  );

  app.openapi(
    route({
      method: 'patch',
      path: '/sites/{site}',
      summary: 'Change some settings; the others stay',
      request: { params: SiteParam, ...body(SettingsPatchSchema) },
      responses: {
        200: json(SiteSchema, 'the site as it is now'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      const actor = await asOwner(c, site);
      return c.json(await service.updateSettings(site, c.req.valid('json'), actor), 200);
    },
  );

  app.openapi(
    route({
      method: 'delete',
      path: '/sites/{site}',
      summary: 'Delete a site with its history, bans and keys (the operator)',
      request: { params: SiteParam },
      responses: {
        204: { description: 'deleted; its sockets are disconnected' },
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      siteOf(site);
      await asOperator(c);
      await service.deleteSite(site);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/sites/{site}/key',
      summary: 'A new site key; the previous one stops working at once',
      request: { params: SiteParam },
      responses: {
        201: json(z.object({ key: z.string() }), 'the new key, shown once'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      const actor = await asOwner(c, site);
      return c.json({ key: await service.rotateKey(site, actor) }, 201);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}/rooms',
      summary: 'Live rooms, busiest first',
      request: { params: SiteParam, query: RoomsQuery },
      responses: {
        200: json(RoomsSchema, 'distinct visitors on the site and its rooms'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      await asOwner(c, site);
      await service.getSite(site);
      return c.json(await deps.rooms(site, c.req.valid('query').limit), 200);
    },
  );

  app.openapi(
    route({
      method: 'put',
      path: '/sites/{site}/rooms/state',
      summary: 'Pause or reopen a room',
      request: { params: SiteParam, ...body(RoomStateBody) },
      responses: {
        200: json(z.object({ room: z.string(), readOnly: z.boolean() }), 'the room state now'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      const actor = await asOwner(c, site);
      const { room, readOnly } = c.req.valid('json');
      const key = normalizeRoomKey(room);
      if (!key.ok) throw new ApiError('invalid_payload', `room: ${key.reason}`);
      return c.json(await service.setRoomState(site, key.room, readOnly, actor), 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}/messages',
      summary: 'Kept messages, newest first, a page at a time',
      request: { params: SiteParam, query: MessagesQuery },
      responses: {
        200: json(
          z.object({ messages: z.array(MessageSchema), next: z.string().nullable() }),
          'a page',
        ),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      await asOwner(c, site);
      const { room, before, limit } = c.req.valid('query');
      const page = await service.listMessages(site, { room: roomQuery(room), before, limit });
      return c.json({ messages: page.items, next: page.next }, 200);
    },
  );

  app.openapi(
    route({
      method: 'delete',
      path: '/sites/{site}/messages/{id}',
      summary: 'Delete a message; its room is told',
      request: { params: SiteAndIdParams },
      responses: { 204: { description: 'deleted' }, ...OWNER_ERRORS },
      ...owner,
    }),
    async (c) => {
      const { site, id } = c.req.valid('param');
      const actor = await asOwner(c, site);
      await service.deleteMessage(site, id, actor);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/sites/{site}/bans',
      summary: 'Ban a visitor, or the author of a message',
      request: { params: SiteParam, ...body(BanBody) },
      responses: { 201: json(BanSchema, 'the ban'), ...OWNER_ERRORS },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      const actor = await asOwner(c, site);
      return c.json(await service.ban(site, c.req.valid('json'), actor), 201);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}/bans',
      summary: 'Bans in force',
      request: { params: SiteParam },
      responses: {
        200: json(z.object({ bans: z.array(BanSchema) }), 'the bans'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      await asOwner(c, site);
      return c.json({ bans: await service.listBans(site) }, 200);
    },
  );

  app.openapi(
    route({
      method: 'delete',
      path: '/sites/{site}/bans/{id}',
      summary: 'Lift a ban',
      request: { params: SiteAndIdParams },
      responses: { 204: { description: 'lifted' }, ...OWNER_ERRORS },
      ...owner,
    }),
    async (c) => {
      const { site, id } = c.req.valid('param');
      const actor = await asOwner(c, site);
      await service.liftBan(site, id, actor);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route({
      method: 'delete',
      path: '/sites/{site}/visitors/{visitorId}/messages',
      summary: 'Delete every message of a visitor on the site',
      request: { params: SiteAndVisitorParams },
      responses: {
        200: json(z.object({ deleted: z.number().int() }), 'how many'),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site, visitorId } = c.req.valid('param');
      const actor = await asOwner(c, site);
      return c.json({ deleted: await service.eraseVisitor(site, visitorId, actor) }, 200);
    },
  );

  // The export streams NDJSON, which zod-openapi's typed handlers do not model: the route is
  // documented from its schemas here and served by a plain handler that parses with the same ones.
  app.openAPIRegistry.registerPath(
    route({
      method: 'get',
      path: '/sites/{site}/export',
      summary: 'Every kept message, oldest first, one JSON Message a line',
      request: { params: SiteParam, query: ExportQuery },
      responses: {
        200: {
          content: { 'application/x-ndjson': { schema: MessageSchema } },
          description: 'NDJSON, streamed: one Message a line',
        },
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
  );
  app.get('/sites/:site/export', async (c) => {
    const site = c.req.param('site');
    const actor = await asOwner(c, site);
    const query = ExportQuery.safeParse(c.req.query());
    if (!query.success)
      throw new ApiError('invalid_payload', query.error.issues[0]?.message ?? 'bad query');
    const messages = await service.export(site, roomQuery(query.data.room), actor);
    c.header('Content-Type', 'application/x-ndjson');
    c.header('Content-Disposition', `attachment; filename="${site}-messages.ndjson"`);
    c.header('Cache-Control', 'no-store');
    return stream(c, async (out) => {
      for await (const message of messages) await out.write(`${JSON.stringify(message)}\n`);
    });
  });

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}/audit',
      summary: 'Every moderation and settings action, newest first',
      request: { params: SiteParam, query: AuditQuery },
      responses: {
        200: json(
          z.object({ entries: z.array(AuditEntrySchema), next: z.string().nullable() }),
          'a page',
        ),
        ...OWNER_ERRORS,
      },
      ...owner,
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      await asOwner(c, site);
      const page = await service.auditLog(site, c.req.valid('query'));
      return c.json({ entries: page.items, next: page.next }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/sites/{site}/presence',
      summary: 'How many visitors are in a room (public)',
      request: { params: SiteParam, query: PresenceQuery },
      responses: {
        200: json(
          z.object({ site: z.string(), room: z.string(), count: z.number().int() }),
          'the count',
        ),
        400: json(WireErrorSchema, 'invalid_site, site_not_allowed or invalid_payload'),
      },
    }),
    async (c) => {
      const { site } = c.req.valid('param');
      const wire = (code: HttpErrorBody['error']['code'], message: string) =>
        c.json({ error: { code, message } } satisfies HttpErrorBody, 400);
      if (checkSiteName(site) !== 'ok')
        return wire('invalid_site', 'the site name is not valid or is reserved');
      if (!(await deps.serves(site)))
        return wire('site_not_allowed', 'this server does not serve this site');
      const raw = c.req.valid('query').room;
      if (raw === undefined) return wire('invalid_payload', 'the room query parameter is required');
      const room = normalizeRoomKey(raw);
      if (!room.ok) return wire('invalid_payload', room.reason);
      const answer: PresenceResponse = {
        site,
        room: room.room,
        count: await deps.count(site, room.room),
      };
      c.header('Cache-Control', 'no-store');
      return c.json(answer, 200);
    },
  );

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'pagechat API',
      version: '1.1',
      description:
        'Site owners and operators: sites, settings, keys, rooms, messages, bans, export, audit.',
    },
    servers: [{ url: '/api/v1' }],
  });

  app.all('*', (c) => c.json(errorBody('not_found', 'no such API request'), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.retryAfterMs !== undefined) {
        c.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      }
      return c.json(errorBody(error.code, error.message), API_STATUS[error.code]);
    }
    if (error instanceof HTTPException && error.status === 400) {
      return c.json(errorBody('invalid_payload', 'the body is not valid JSON'), 400);
    }
    deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'api request failed');
    return c.json(errorBody('internal', 'the server failed'), 500);
  });

  return app;
}

/** An optional room filter, normalised like a join's key; an invalid one is `invalid_payload`. */
function roomQuery(room: string | undefined): string | undefined {
  if (room === undefined) return undefined;
  const key = normalizeRoomKey(room);
  if (!key.ok) throw new ApiError('invalid_payload', `room: ${key.reason}`);
  return key.room;
}
