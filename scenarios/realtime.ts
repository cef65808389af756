// Real-time test (the request's "Real-Time Performance Testing"): 500 classroom WebSocket clients
// that broadcast `classroom.update` messages (10/s, guidelines §3.2) and receive each other's plus
// the server's `student.progress`, and 200 dashboard clients on Server-Sent Events.
//
// Delivery latency is Date.now() - sentAt on the receiving client (the same clock on one host;
// on a cluster the runner and service clocks must be NTP-synced). Connection time is open - start.
// SSE: k6's HTTP client hands over the body only when the response ends, so an SSE client is a
// GET that the runner ends itself after the session (status 0 is expected there); it measures
// connection time and event delivery, and the delivery latency of the first event when the
// service wrote it together with the response headers.

import { WebSocket } from 'k6/websockets';
import { setInterval, clearInterval, setTimeout } from 'k6/timers';
import http from 'k6/http';
import exec from 'k6/execution';
import { get, labOptions, metrics, PROFILE_SHAPE, returningStudentId, step, wsBaseUrl } from 'perflab';

export const options = labOptions({
  slas: ['realtime_update_p95', 'realtime_websocket_p95', 'realtime_sse_p95', 'realtime_connect_p95', 'realtime_connection_stability', 'checks_pass_rate'],
  scenarios: {
    websocket_classroom: {
      executor: 'constant-vus',
      vus: 500,
      duration: '10m',
      exec: 'classroom',
    },
    sse_dashboard: {
      executor: 'constant-vus',
      vus: 200,
      duration: '10m',
      exec: 'progressStream',
    },
  },
});

const SOCKET = { name: 'ClassroomSocket', endpoint: 'realtime_connect' } as const;
const STREAM = { name: 'ProgressStream', endpoint: 'realtime_connect' } as const;
/** classroom.update messages per second per client (guidelines §3.2 frequency '10/s'). */
const UPDATES_PER_SECOND = 10;
const ROOMS = 10;

interface RealtimeMessage {
  type?: string;
  sentAt?: number;
  serverAt?: number;
}

function parse(data: unknown): RealtimeMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as RealtimeMessage;
  } catch {
    return undefined;
  }
}

export function classroom(): void {
  const room = `room_${exec.vu.idInTest % ROOMS}`;
  const sessionMs = PROFILE_SHAPE.realtimeSessionSeconds * 1000;
  const started = Date.now();
  let opened = false;
  let broadcasts = 0;
  let progress = 0;
  let failure: string | undefined;

  const ws = new WebSocket(`${wsBaseUrl()}/api/v1/ws/classroom?room=${room}`, null, { tags: { ...SOCKET } });
  ws.onopen = () => {
    opened = true;
    metrics.realtimeConnect.add(Date.now() - started, { ...SOCKET, transport: 'websocket' });
    let seq = 0;
    const sender = setInterval(() => {
      ws.send(JSON.stringify({ type: 'classroom.update', payload: { vu: exec.vu.idInTest, seq: seq++ }, sentAt: Date.now() }));
    }, 1000 / UPDATES_PER_SECOND);
    setTimeout(() => {
      clearInterval(sender);
      ws.close();
    }, sessionMs);
  };
  ws.onmessage = (event) => {
    const message = parse(event?.data);
    if (!message) return;
    const sentAt = message.type === 'classroom.update' ? message.sentAt : message.serverAt ?? message.sentAt;
    if (message.type === 'classroom.update') broadcasts++;
    if (message.type === 'student.progress') progress++;
    if (typeof sentAt === 'number') {
      metrics.realtimeLatency.add(Date.now() - sentAt, { ...SOCKET, transport: 'websocket', event: message.type ?? 'unknown' });
    }
  };
  ws.onerror = (event) => {
    failure = event?.error ?? 'websocket error';
  };
  ws.onclose = () => {
    const stable = step(
      { opened, broadcasts, failure },
      {
        'websocket connected': (s) => s.opened,
        'classroom updates delivered': (s) => s.broadcasts > 0,
        'no websocket errors': (s) => s.failure === undefined,
      },
      SOCKET,
    );
    // the request's connection stability: a session that connected, got messages and ended without error
    metrics.realtimeSessionOk.add(stable, { ...SOCKET, transport: 'websocket' });
    if (progress === 0 && sessionMs >= 2000) console.log(`no student.progress received in ${sessionMs} ms (room ${room})`);
  };
}

interface SseEvent {
  event: string;
  data: string;
}

/** `event: x\ndata: {...}\n\n` blocks -> events (comments and keep-alives dropped). */
function sseEvents(body: string): SseEvent[] {
  return body
    .split(/\r?\n\r?\n/)
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    })
    .filter((e) => e.data !== '');
}

export function progressStream(): void {
  const studentId = returningStudentId(20, 'dashboard');
  const started = Date.now();
  const res = get(`/api/v1/events/progress?studentId=${encodeURIComponent(studentId)}`, STREAM, {
    headers: { Accept: 'text/event-stream' },
    timeout: `${PROFILE_SHAPE.realtimeSessionSeconds}s`,
    // the runner ends the stream itself: a client-side timeout (status 0) is the normal end
    responseCallback: http.expectedStatuses(0, 200),
  });
  const t = res.timings;
  const firstByteMs = t.blocked + t.connecting + t.tls_handshaking + t.sending + t.waiting;
  const body = typeof res.body === 'string' ? res.body : '';
  const events = sseEvents(body).filter((e) => e.event === 'progress');
  const first = events.length > 0 ? parse(events[0]!.data) : undefined;
  if (body !== '') {
    metrics.realtimeConnect.add(firstByteMs, { ...STREAM, transport: 'sse' });
    const latency = typeof first?.sentAt === 'number' ? started + firstByteMs - first.sentAt : -1;
    if (latency >= 0) metrics.realtimeLatency.add(latency, { ...STREAM, transport: 'sse', event: 'progress' });
  }
  const stable = step(
    { body, events, first },
    {
      'event stream opened': (s) => s.body !== '',
      'progress events delivered': (s) => s.events.length > 0,
      'events carry sentAt': (s) => typeof s.first?.sentAt === 'number',
    },
    STREAM,
  );
  metrics.realtimeSessionOk.add(stable, { ...STREAM, transport: 'sse' });
}

export default function (): void {
  classroom();
}
