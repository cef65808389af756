// Real-time channels: Server-Sent Events (dashboard progress) and WebSocket classrooms.
// Every event carries the sender's clock (sentAt) and, on the WebSocket, the server's (serverAt),
// so clients on the same host measure delivery latency as Date.now() - sentAt.

import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { STUDENT_ID_PATTERN, DEMO_STUDENT_ID } from '../catalogue.ts';
import type { Deps } from '../deps.ts';

export class RealtimeHub {
  readonly rooms = new Map<string, { members: Set<WebSocket>; timer: NodeJS.Timeout; seq: number }>();
  readonly streams = new Set<{ end: () => void }>();

  constructor(
    private readonly intervalMs: number,
    private readonly deps: Deps,
  ) {}

  private gauge(): void {
    let sockets = 0;
    for (const room of this.rooms.values()) sockets += room.members.size;
    this.deps.metrics.realtimeConnections.set({ channel: 'websocket' }, sockets);
    this.deps.metrics.realtimeConnections.set({ channel: 'sse' }, this.streams.size);
  }

  join(name: string, socket: WebSocket): void {
    let room = this.rooms.get(name);
    if (!room) {
      const created = {
        members: new Set<WebSocket>(),
        seq: 0,
        timer: setInterval(() => {
          created.seq++;
          const now = Date.now();
          this.broadcast(name, {
            type: 'student.progress',
            payload: { room: name, seq: created.seq, percentage: (created.seq * 7) % 101 },
            sentAt: now,
            serverAt: now,
          });
        }, this.intervalMs),
      };
      room = created;
      this.rooms.set(name, room);
    }
    room.members.add(socket);
    this.gauge();
  }

  leave(name: string, socket: WebSocket): void {
    const room = this.rooms.get(name);
    if (!room) return;
    room.members.delete(socket);
    if (room.members.size === 0) {
      clearInterval(room.timer);
      this.rooms.delete(name);
    }
    this.gauge();
  }

  broadcast(name: string, message: object): void {
    const room = this.rooms.get(name);
    if (!room) return;
    const text = JSON.stringify(message);
    for (const member of room.members) if (member.readyState === member.OPEN) member.send(text);
  }

  addStream(stream: { end: () => void }): () => void {
    this.streams.add(stream);
    this.gauge();
    return () => {
      this.streams.delete(stream);
      this.gauge();
    };
  }

  /** On shutdown: end every stream and close every socket, so the server can drain. */
  closeAll(): void {
    for (const stream of [...this.streams]) stream.end();
    for (const [name, room] of this.rooms) {
      for (const socket of room.members) socket.close(1001, 'server shutting down');
      clearInterval(room.timer);
      this.rooms.delete(name);
    }
  }
}

export function realtimeRoutes(app: FastifyInstance, deps: Deps, hub: RealtimeHub): void {
  app.get<{ Querystring: { studentId?: string } }>(
    '/events/progress',
    { schema: { querystring: { type: 'object', properties: { studentId: { type: 'string', pattern: STUDENT_ID_PATTERN } } } } },
    (request, reply) => {
      const studentId = request.query.studentId ?? DEMO_STUDENT_ID;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Pod-Name': (reply.getHeader('X-Pod-Name') as string | undefined) ?? '',
        'Server-Timing': request.timing.header(),
      });
      let seq = 0;
      const send = () => {
        seq++;
        res.write(`event: progress\nid: ${seq}\ndata: ${JSON.stringify({ sentAt: Date.now(), seq, studentId, percentage: (seq * 13) % 101 })}\n\n`);
      };
      const timer = setInterval(send, deps.config.realtimeIntervalMs);
      const stream = { end: () => res.end() };
      const remove = hub.addStream(stream);
      const cleanup = () => {
        clearInterval(timer);
        remove();
      };
      res.on('close', cleanup);
      send(); // the first event at once: connection establishment is measurable
    },
  );

  app.get<{ Querystring: { room?: string } }>(
    '/ws/classroom',
    {
      websocket: true,
      schema: { querystring: { type: 'object', properties: { room: { type: 'string', minLength: 1, maxLength: 128 } } } },
    },
    (socket, request) => {
      const room = request.query.room ?? 'default';
      hub.join(room, socket);
      socket.on('message', (data, isBinary) => {
        let message: unknown;
        try {
          message = isBinary ? undefined : JSON.parse(data.toString());
        } catch {
          message = undefined;
        }
        if (typeof message !== 'object' || message === null || Array.isArray(message)) {
          socket.send(JSON.stringify({ type: 'error', message: 'expected a JSON object like {"type":"classroom.update","payload":{},"sentAt":<epoch ms>}' }));
          return;
        }
        hub.broadcast(room, { ...message, serverAt: Date.now() });
      });
      socket.on('close', () => hub.leave(room, socket));
    },
  );
}
