/**
 * The moderators' live view, the reserved `/admin` namespace (ADMIN-API.md): a site key or the
 * operator token signs in for one site; the socket then receives the site's new and deleted
 * messages and, at once and at most every 2 s while they change, its live rooms. Moderator sockets
 * join no page room and are never counted in presence.
 */
import type { Namespace, Server } from 'socket.io';
import { z } from 'zod';
import type {
  AdminClientToServerEvents,
  AdminConnectErrorData,
  AdminServerToClientEvents,
  RoomsPayload,
} from '../admin-protocol.js';
import { clientAddress } from '../address.js';
import type { Limiter } from '../ephemeral/types.js';
import type { Message } from '../protocol.js';
import { checkSiteName } from '../rooms.js';
import { refusal } from './errors.js';
import type { ModeratorRooms } from './moderation.js';
import type { RealtimeDeps } from './types.js';

/** Busiest rooms in a `rooms` event. */
const ROOMS_SHOWN = 100;
/** Shortest interval between two `rooms` events of a site. */
const ROOMS_EVERY_MS = 2000;

interface AdminData {
  site: string;
  actor: 'operator' | 'owner';
}
type AdminNamespace = Namespace<
  AdminClientToServerEvents,
  AdminServerToClientEvents,
  Record<string, never>,
  AdminData
>;

const authSchema = z.object({ site: z.string(), key: z.string().min(1).max(512) });

const MESSAGES: Record<AdminConnectErrorData['code'], string> = {
  unauthorized: 'the key or token is not valid',
  forbidden: 'these credentials may not watch this site',
  invalid_site: 'the site name is not valid or is reserved',
  rate_limited: 'too many failed sign-ins from this address; retry later',
};

const siteRoom = (site: string) => `s:${site}`;
const ownerRoom = (site: string) => `o:${site}`;

export interface AdminLiveView extends ModeratorRooms {
  message(site: string, message: Message): void;
  close(): void;
}

export function attachAdmin(
  io: Server,
  deps: RealtimeDeps,
  authFailures: Limiter,
  /** Live rooms of a site, busiest first. */
  rooms: (site: string, limit: number) => Promise<RoomsPayload>,
): AdminLiveView {
  // The same server, seen with the live view's own event maps (the namespace is not a site).
  const nsp: AdminNamespace = (
    io as unknown as Server<
      AdminClientToServerEvents,
      AdminServerToClientEvents,
      Record<string, never>,
      AdminData
    >
  ).of('/admin');
  const refuse = (code: AdminConnectErrorData['code']) => refusal(code, MESSAGES[code]);

  nsp.use((socket, next) => {
    const check = async (): Promise<AdminConnectErrorData['code'] | AdminData> => {
      const address = deps.hashAddress(
        clientAddress(
          socket.handshake.address,
          socket.handshake.headers['x-forwarded-for'],
          deps.config.trustProxy,
        ),
      );
      if (!(await authFailures.check(address)).ok) return 'rate_limited';
      const auth = authSchema.safeParse(socket.handshake.auth);
      const who = auth.success ? await deps.authenticate(auth.data.key) : undefined;
      if (!auth.success || !who) {
        await authFailures.take(address);
        return 'unauthorized';
      }
      const { site } = auth.data;
      if (checkSiteName(site) !== 'ok') return 'invalid_site';
      if (who.actor === 'owner' && who.site !== site) return 'forbidden';
      return { site, actor: who.actor };
    };
    check().then(
      (result) => {
        if (typeof result === 'string') return next(refuse(result));
        socket.data = result;
        next();
      },
      (error: unknown) => {
        deps.logger.error({ err: error }, 'moderator handshake failed');
        next(refuse('unauthorized'));
      },
    );
  });

  /** Per watched site: the last `rooms` sent and the timer that checks for changes. */
  const watched = new Map<string, { last: string; timer: ReturnType<typeof setInterval> }>();

  const snapshot = (site: string) => rooms(site, ROOMS_SHOWN);

  const tick = (site: string): void => {
    snapshot(site).then(
      (payload) => {
        const entry = watched.get(site);
        if (!entry) return;
        const json = JSON.stringify(payload);
        if (json === entry.last) return;
        entry.last = json;
        nsp.to(siteRoom(site)).emit('rooms', payload);
      },
      (error: unknown) => deps.logger.warn({ err: error, site }, 'reading live rooms failed'),
    );
  };

  nsp.on('connection', (socket) => {
    const { site, actor } = socket.data;
    void socket.join(actor === 'owner' ? [siteRoom(site), ownerRoom(site)] : [siteRoom(site)]);
    if (!watched.has(site)) {
      const timer = setInterval(() => tick(site), ROOMS_EVERY_MS);
      timer.unref();
      watched.set(site, { last: '', timer });
    }
    snapshot(site).then(
      (payload) => {
        socket.emit('rooms', payload);
        const entry = watched.get(site);
        if (entry && entry.last === '') entry.last = JSON.stringify(payload);
      },
      (error: unknown) => deps.logger.warn({ err: error, site }, 'reading live rooms failed'),
    );
    socket.on('disconnect', () => {
      if ((nsp.adapter.rooms.get(siteRoom(site))?.size ?? 0) > 0) return;
      const entry = watched.get(site);
      if (entry) clearInterval(entry.timer);
      watched.delete(site);
    });
  });

  return {
    message(site, message) {
      nsp.to(siteRoom(site)).emit('message', message);
    },
    deleted(site, room, id) {
      nsp.to(siteRoom(site)).emit('deleted', { room, id });
    },
    signOutOwners(site) {
      nsp.local.in(ownerRoom(site)).disconnectSockets(true);
    },
    signOutAll(site) {
      nsp.local.in(siteRoom(site)).disconnectSockets(true);
    },
    close() {
      for (const entry of watched.values()) clearInterval(entry.timer);
      watched.clear();
    },
  };
}
