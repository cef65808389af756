// What the lab's Postgres servers run with, as data (pure): their names and roles, the settings
// on every server's command line, client authentication (pg_hba.conf), a standby's configuration,
// and the URLs the lab hands out.
//
// Lab-only settings (documented in docs/local-data-tier.md): fsync and synchronous_commit are off
// — a crash loses the lab's data, which is re-created on every run anyway, and a 2-core CI box
// spends its time on the load test instead of on flushes.

import { LOOPBACK } from '../ports.ts';

export const DATABASE = 'perflab';
export const APP_ROLE = 'perflab_app';
export const REPLICATION_ROLE = 'perflab_replicator';
export const MONITOR_ROLE = 'perflab_monitor';
export const REPLICA_COUNT = 2;

/** Settings every instance gets on its command line. Pure: what the lab runs, as data. */
export function serverSettings(input: { port: number; socketDir: string; name: string }): Record<string, string> {
  return {
    port: String(input.port),
    listen_addresses: LOOPBACK,
    unix_socket_directories: input.socketDir,
    unix_socket_permissions: '0700',
    cluster_name: input.name, // a standby's application_name in pg_stat_replication
    // lab-only durability trade-off, see the header comment
    fsync: 'off',
    synchronous_commit: 'off',
    shared_buffers: '64MB',
    max_connections: '200',
    wal_level: 'replica',
    max_wal_senders: '10',
    max_replication_slots: '10',
    hot_standby: 'on',
    // the target's long report queries must not be cancelled by replay on a standby
    hot_standby_feedback: 'on',
    // bounded: the data directories may live in memory (see dataOn); a standby stopped for good
    // (a test) must not make its slot hold WAL without limit
    max_wal_size: '256MB',
    max_slot_wal_keep_size: '1GB',
    // per-statement timings for the "database query time" SLA
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'all',
    logging_collector: 'off',
    log_destination: 'stderr',
    log_min_messages: 'warning',
    // a standby retries a lost primary within 200 ms instead of 5 s (a lab restarts things)
    wal_retrieve_retry_interval: '200ms',
    password_encryption: 'scram-sha-256',
  };
}

export function settingsArgs(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/**
 * Client authentication: the unix socket trusts (its folder is 0700, postgres' own; root can
 * enter it too, which is how the lab administers the servers), everything over TCP needs a scram
 * password, replication only for the replication role. The text is part of the template's key
 * (template.ts): any change to it, this first line too, rebuilds every machine's templates.
 */
export function hbaConf(): string {
  return [
    '# written by perflab lab/local/postgres.ts',
    'local   all          all                              trust',
    `host    replication  ${REPLICATION_ROLE}  ${LOOPBACK}/32  scram-sha-256`,
    `host    all          all                  ${LOOPBACK}/32  scram-sha-256`,
    '',
  ].join('\n');
}

export function postgresUrl(input: { user: string; password: string; port: number; database: string }): string {
  const user = encodeURIComponent(input.user);
  const password = encodeURIComponent(input.password);
  return `postgresql://${user}:${password}@${LOOPBACK}:${input.port}/${encodeURIComponent(input.database)}`;
}

/**
 * The lines that make a data directory a hot standby of the primary (what pg_basebackup -R
 * writes). Pure. Values are quoted twice: for libpq's conninfo, then for postgresql.conf.
 */
export function standbyConfig(input: { primaryPort: number; user: string; password: string; slot: string }): string {
  const conninfo = [
    ['host', LOOPBACK], ['port', String(input.primaryPort)], ['user', input.user], ['password', input.password],
  ].map(([k, v]) => `${k}='${v!.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(' ');
  // postgresql.conf strings take backslash escapes too (pg_basebackup's escape_quotes doubles both)
  const conf = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return `primary_conninfo = ${conf(conninfo)}\nprimary_slot_name = ${conf(input.slot)}\n`;
}

export function slotName(replicaIndex: number): string {
  return `replica_${replicaIndex + 1}`;
}

export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
