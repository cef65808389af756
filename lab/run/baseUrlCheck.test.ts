import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { baseUrlProblem } from './baseUrlCheck.ts';

const listen = async <T extends Server | ReturnType<typeof createHttpServer>>(server: T): Promise<{ server: T; port: number }> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

test('base URL check: any HTTP status is an answer (a 404 at the root, a 401, a redirect)', async () => {
  for (const status of [200, 301, 401, 404, 500]) {
    const { server, port } = await listen(createHttpServer((_req, res) => res.writeHead(status, { location: '/elsewhere' }).end('body')));
    assert.equal(await baseUrlProblem(`http://127.0.0.1:${port}/api`, 2000), undefined, `status ${status}`);
    server.close();
  }
});

test('base URL check: refused, a name that does not resolve, silence: each named', async () => {
  // a port nothing listens on: take one, then close it
  const { server: taken, port: closed } = await listen(createTcpServer());
  await new Promise((resolve) => taken.close(resolve));
  assert.equal(await baseUrlProblem(`http://127.0.0.1:${closed}`, 2000), `connect ECONNREFUSED 127.0.0.1:${closed}`);
  // fetch refuses port 1 as a "bad port" without trying; the check must try it like k6 does
  assert.match((await baseUrlProblem('http://127.0.0.1:1', 2000))!, /ECONNREFUSED 127\.0\.0\.1:1$/);
  assert.match((await baseUrlProblem('http://perflab-no-such-host.invalid', 2000))!, /ENOTFOUND|EAI_AGAIN/);
  const { server: silent, port } = await listen(createTcpServer(() => {}));
  assert.equal(await baseUrlProblem(`http://127.0.0.1:${port}`, 300), 'no answer within 0.3 s');
  silent.close();
});
