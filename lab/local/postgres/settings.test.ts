import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hbaConf, postgresUrl, serverSettings, standbyConfig } from './settings.ts';

test('serverSettings: loopback only, sockets in the given folder, replication on', () => {
  const s = serverSettings({ port: 5999, socketDir: '/x/sock', name: 'postgres-replica-1' });
  assert.equal(s['listen_addresses'], '127.0.0.1');
  assert.equal(s['port'], '5999');
  assert.equal(s['unix_socket_directories'], '/x/sock');
  assert.equal(s['wal_level'], 'replica');
  assert.equal(s['cluster_name'], 'postgres-replica-1');
  assert.equal(s['password_encryption'], 'scram-sha-256');
});

test('hbaConf: no trust over TCP, replication only for the replication role', () => {
  const lines = hbaConf().split('\n').filter((l) => l.startsWith('host'));
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.match(line, /scram-sha-256$/);
  assert.ok(lines.some((l) => /^host\s+replication\s+perflab_replicator\s/.test(l)));
});

test('standbyConfig quotes the conninfo for libpq and again for postgresql.conf', () => {
  const conf = standbyConfig({ primaryPort: 5432, user: 'rep', password: "a'b\\c", slot: 'replica_1' });
  assert.equal(conf,
    "primary_conninfo = 'host=''127.0.0.1'' port=''5432'' user=''rep'' password=''a\\\\''b\\\\\\\\c'''\n" +
    "primary_slot_name = 'replica_1'\n");
});

test('postgresUrl escapes the password', () => {
  assert.equal(
    postgresUrl({ user: 'u', password: 'a/b@c', port: 1, database: 'd' }),
    'postgresql://u:a%2Fb%40c@127.0.0.1:1/d',
  );
});
