// The image preflight's registry questions against a registry stand-in on loopback: an HTTP server
// speaking the part of the Docker Registry HTTP API v2 a pull starts with — a manifest HEAD that
// answers 401 with a Bearer challenge, an anonymous token service, 404 MANIFEST_UNKNOWN for a tag
// it lacks, 401 from the token service for a private repository — and an open one (no auth, as a
// plain `registry:2` on a workstation). Nothing leaves 127.0.0.1.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveLabConfig } from '../config/index.ts';
import { K6 } from '../versions.ts';
import { isLoopbackRegistry, labImages, parseImageRef } from './images.ts';
import { checkImagePullable, parseBearerChallenge } from './registry.ts';
import { checkLabImages } from './imagePreflight.ts';

/** repository -> tags the stand-in serves; `private/` repositories get no anonymous token */
const SERVED: Record<string, string[]> = {
  'library/node': ['20.20.2-bookworm-slim'],
  'grafana/k6': ['2.2.0'],
  'cloudnative-pg/postgresql': ['18.3'],
  'opstree/redis': ['v7.4.4'],
  'oliver006/redis_exporter': ['v1.87.0'],
  'private/thing': ['1.0.0'],
};

interface Seen { method: string; path: string; accept?: string; authorization?: string }

function registryStandIn(options: { auth: boolean }): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://stand-in');
    seen.push({ method: req.method!, path: url.pathname + url.search, accept: req.headers.accept, authorization: req.headers.authorization });
    const origin = `http://${req.headers.host}`;
    if (url.pathname === '/token') {
      const repo = /^repository:(.+):pull$/.exec(url.searchParams.get('scope') ?? '')?.[1] ?? '';
      if (url.searchParams.get('service') !== 'registry.stand-in' || repo.startsWith('private/')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `anon:${repo}` }));
      return;
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!manifest) {
      res.writeHead(404).end();
      return;
    }
    const [, repo, reference] = manifest;
    if (options.auth && req.headers.authorization !== `Bearer anon:${repo}`) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${origin}/token",service="registry.stand-in",scope="repository:${repo}:pull"`,
        'content-type': 'application/json',
      }).end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (!SERVED[repo!]?.includes(reference!)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'docker-content-digest': `sha256:${'ab'.repeat(32)}` }).end();
  });
  return { server, seen };
}

let guarded: { server: Server; seen: Seen[] };
let open: { server: Server; seen: Seen[] };
let guardedHost: string;
let openHost: string;

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));

before(async () => {
  guarded = registryStandIn({ auth: true });
  open = registryStandIn({ auth: false });
  guardedHost = await listen(guarded.server);
  openHost = await listen(open.server);
});

after(() => {
  guarded.server.close();
  open.server.close();
});

test('image references taken apart as Docker reads them', () => {
  assert.deepEqual(parseImageRef('node:20.20.2-bookworm-slim'), { registry: 'registry-1.docker.io', repository: 'library/node', reference: '20.20.2-bookworm-slim' });
  assert.deepEqual(parseImageRef(K6.image), { registry: 'registry-1.docker.io', repository: 'grafana/k6', reference: '2.2.0' });
  assert.deepEqual(parseImageRef('docker.io/library/node'), { registry: 'registry-1.docker.io', repository: 'library/node', reference: 'latest' });
  assert.deepEqual(parseImageRef('ghcr.io/cloudnative-pg/postgresql:18.3'), { registry: 'ghcr.io', repository: 'cloudnative-pg/postgresql', reference: '18.3' });
  assert.deepEqual(parseImageRef('registry.example.com:5000/perf/perflab/target-api:0.1.0'), { registry: 'registry.example.com:5000', repository: 'perf/perflab/target-api', reference: '0.1.0' });
  assert.deepEqual(parseImageRef('localhost/x@sha256:abc'), { registry: 'localhost', repository: 'x', reference: 'sha256:abc' });
  assert.equal(isLoopbackRegistry('127.0.0.1:5000'), true);
  assert.equal(isLoopbackRegistry('localhost:5000'), true);
  assert.equal(isLoopbackRegistry('ghcr.io'), false);
  assert.deepEqual(parseBearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"'),
    { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' });
  assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
});

test('registry stand-in: a HEAD of the manifest, a 401 challenge, an anonymous token, the HEAD again: pullable', async () => {
  guarded.seen.length = 0;
  const result = await checkImagePullable(`${guardedHost}/library/node:20.20.2-bookworm-slim`);
  assert.deepEqual(result, { pullable: true, digest: `sha256:${'ab'.repeat(32)}` });
  assert.deepEqual(guarded.seen.map((s) => `${s.method} ${s.path}`), [
    'HEAD /v2/library/node/manifests/20.20.2-bookworm-slim',
    'GET /token?service=registry.stand-in&scope=repository%3Alibrary%2Fnode%3Apull',
    'HEAD /v2/library/node/manifests/20.20.2-bookworm-slim',
  ]);
  assert.equal(guarded.seen[2]!.authorization, 'Bearer anon:library/node');
  // the manifest types a runtime accepts: multi-arch indexes and single manifests, OCI and Docker
  assert.match(guarded.seen[0]!.accept!, /application\/vnd\.oci\.image\.index\.v1\+json.*application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
});

test('registry stand-in: a tag it lacks is missing (404), a private repository denied (its token service says 401), a closed port unreachable; an open registry needs no token', async () => {
  const missing = await checkImagePullable(`${guardedHost}/library/node:20.99.0`);
  assert.deepEqual(missing, { pullable: false, why: 'missing', detail: `${guardedHost} has no library/node:20.99.0 (HTTP 404 with an anonymous token)` });
  const denied = await checkImagePullable(`${guardedHost}/private/thing:1.0.0`);
  assert.equal(denied.pullable, false);
  assert.equal(!denied.pullable && denied.why, 'denied');
  assert.match(!denied.pullable ? denied.detail : '', /refuses an anonymous pull of private\/thing \(HTTP 401 from its token service http:\/\/127\.0\.0\.1:\d+\): the repository is private or does not exist/);
  // a port that just closed: nothing listens
  const spare = createServer();
  const closed = await listen(spare);
  await new Promise((resolve) => spare.close(resolve));
  const unreachable = await checkImagePullable(`${closed}/library/node:20.20.2-bookworm-slim`, { timeoutMs: 2000 });
  assert.equal(!unreachable.pullable && unreachable.why, 'unreachable');
  assert.match(!unreachable.pullable ? unreachable.detail : '', /^http:\/\/127\.0\.0\.1:\d+ did not answer \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
  open.seen.length = 0;
  assert.equal((await checkImagePullable(`${openHost}/grafana/k6:2.2.0`)).pullable, true);
  assert.deepEqual(open.seen.map((s) => s.method), ['HEAD'], 'one request, no token');
});

test('the lab\'s images against the registry stand-in: every pinned image found; one that is not is named with what runs it, what the registry said and what to do', async () => {
  // every image asked of the stand-in under its own repository path (the stand-in plays each registry)
  const viaStandIn = (ref: string) => {
    const { repository, reference } = parseImageRef(ref);
    return checkImagePullable(`${guardedHost}/${repository}:${reference}`);
  };
  const config = resolveLabConfig({ profile: 'cloud' });
  assert.deepEqual(labImages(config).map((i) => i.field), ['target.nodeImage', 'K6.image (lab/versions.ts)', 'images.postgres', 'images.redis', 'images.redisExporter']);
  const ok = await checkLabImages(config, { pullable: viaStandIn });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.found.length, 5);
  assert.match(ok.found[0]!, /^node:20\.20\.2-bookworm-slim: pullable from registry-1\.docker\.io$/);

  const typo = resolveLabConfig({ profile: 'cloud', overrides: { images: { redis: { tag: 'v7.4.44' } } } });
  const [problem, ...more] = (await checkLabImages(typo, { pullable: viaStandIn })).problems;
  assert.equal(more.length, 0);
  assert.equal(problem!.tool, 'image quay.io/opstree/redis:v7.4.44 (images.redis)');
  assert.match(problem!.problem, /^the Redis cluster cannot be pulled: 127\.0\.0\.1:\d+ has no opstree\/redis:v7\.4\.44 \(HTTP 404 with an anonymous token\)$/);
  assert.match(problem!.fix, /^check images\.redis: the exact tag must exist in that repository/);

  // delivery image on cloud, the image in no registry: how to publish it
  const own = resolveLabConfig({ profile: 'cloud', overrides: { target: { delivery: 'image', registry: guardedHost + '/team' } } });
  const [publish, ...others] = (await checkLabImages(own, { pullable: viaStandIn })).problems;
  assert.equal(others.length, 0);
  assert.equal(publish!.tool, `image ${guardedHost}/team/perflab/target-api:0.1.0 (target.registry + target.image)`);
  assert.match(publish!.problem, /^the target service \(delivery image\) cannot be pulled: /);
  assert.ok(publish!.fix.includes('`npm run lab:up -- --push`'), publish!.fix);
  assert.ok(publish!.fix.includes(`docker build -f target/Dockerfile --build-arg NODE_IMAGE=node:20.20.2-bookworm-slim -t ${guardedHost}/team/perflab/target-api:0.1.0 . && docker push ${guardedHost}/team/perflab/target-api:0.1.0`), publish!.fix);
  // with --push (or on kind) lab:up makes that image itself: not asked
  const built = await checkLabImages(own, { pullable: viaStandIn, targetBuiltByLabUp: true });
  assert.deepEqual([built.problems.length, built.found.length], [0, 4]);
});

test('on kind, an image already on every node counts as there; the others are asked of their registry', async () => {
  const config = resolveLabConfig({ overrides: { images: { postgres: { repository: 'mirror.internal/postgresql' } } } });
  const onNodes: Record<string, string[]> = { 'perflab-worker': ['mirror.internal/postgresql:18.3'], 'perflab-worker2': ['mirror.internal/postgresql:18.3'] };
  const asked: string[] = [];
  const result = await checkLabImages(config, {
    pullable: async (ref) => (asked.push(ref), { pullable: true }),
    kindNodes: { nodes: Object.keys(onNodes), idOn: (node, ref) => (onNodes[node]!.includes(ref) ? 'sha256:1' : undefined) },
  });
  assert.deepEqual(result.problems, []);
  assert.ok(result.found.includes('mirror.internal/postgresql:18.3: loaded on every node of kind cluster perflab'));
  assert.equal(asked.length, 4);
  assert.ok(!asked.includes('mirror.internal/postgresql:18.3'));
  // on kind the fix also says how to load an image by hand
  const unreachable = await checkLabImages(config, { pullable: async () => ({ pullable: false, why: 'unreachable', detail: 'no route' }) });
  assert.match(unreachable.problems[1]!.fix, /--skip-image-check; on kind, load it yourself from a machine that can pull it: docker pull grafana\/k6:2\.2\.0 && kind load docker-image grafana\/k6:2\.2\.0 --name perflab$/);
});
