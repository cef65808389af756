// The simulated cluster's PKI, fresh for every start (nothing outlives the cluster): a CA, the
// API server's serving certificate, one client certificate per identity (the admin in
// system:masters, the controller-manager and the scheduler under their RBAC bootstrap names), the
// front-proxy CA and client of the aggregation layer, and the service-account token signing keys.
//
// Keys come from node:crypto (EC P-256: fast, and accepted by every Kubernetes component and by
// Node's TLS). node:crypto parses X.509 but cannot issue it, so certificates are signed by the
// `openssl` CLI (Debian package `openssl`, in lab/setup/debianPackages.ts) with a config of our own
// (`-config`), so the machine's openssl.cnf adds no extensions. Hand-encoding DER would be more
// code to get wrong than one well-known tool.

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_LAB_BINARIES } from '../setup/debianPackages.ts';

export interface CertKey {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export interface ClusterPki {
  ca: CertKey;
  apiServer: CertKey;
  admin: CertKey;
  controllerManager: CertKey;
  scheduler: CertKey;
  /**
   * The aggregation layer's own CA and the API server's client certificate under it: with them the
   * API server proxies to aggregated APIs (metrics-server and the like) and the controller-manager
   * and scheduler can authenticate requests the way kubeadm clusters do.
   */
  frontProxyCa: CertKey;
  frontProxyClient: CertKey;
  /** service-account tokens: the API server signs with the private key and verifies with the public one. */
  serviceAccount: { publicKeyFile: string; privateKeyFile: string };
}

export interface PkiInput {
  /** the first address of the service range (the `kubernetes` Service), a SAN of the serving cert. */
  kubernetesServiceIp: string;
}

/** The front-proxy client's name, the one the API server's requestheader settings allow. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/** Long enough for a day-long soak on a kept cluster; the PKI is thrown away with the cluster. */
const VALID_DAYS = '30';

function newKey(file: string): { keyPem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(file, privateKey, { mode: 0o600 });
  return { keyPem: privateKey, publicPem: publicKey };
}

export function createClusterPki(dir: string, input: PkiInput): ClusterPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, '[req]\ndistinguished_name = dn\n[dn]\n');
  const openssl = (args: string[]) =>
    execFileSync(LOCAL_LAB_BINARIES.openssl.path, ['req', '-x509', '-new', '-config', config, '-days', VALID_DAYS, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const issue = (name: string, subject: string, extensions: string[], signer?: CertKey): CertKey => {
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.crt`);
    const { keyPem } = newKey(keyFile);
    const signedBy = signer ? ['-CA', signer.certFile, '-CAkey', signer.keyFile] : [];
    openssl(['-key', keyFile, ...signedBy, '-subj', subject, ...extensions.flatMap((e) => ['-addext', e]), '-out', certFile]);
    return { certFile, keyFile, keyPem, certPem: readFileSync(certFile, 'utf8') };
  };
  const client = (name: string, subject: string, ca: CertKey) =>
    issue(name, subject, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'], ca);

  const ca = issue('ca', '/CN=perflab-sim-ca', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  const sans = [
    'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local', 'IP:127.0.0.1', `IP:${input.kubernetesServiceIp}`,
  ];
  const apiServer = issue('apiserver', '/CN=kube-apiserver', [
    'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth',
    `subjectAltName=${sans.join(',')}`,
  ], ca);
  const admin = client('admin', '/O=system:masters/CN=perflab-sim-admin', ca);
  const controllerManager = client('controller-manager', '/CN=system:kube-controller-manager', ca);
  const scheduler = client('scheduler', '/CN=system:kube-scheduler', ca);
  const frontProxyCa = issue('front-proxy-ca', '/CN=perflab-sim-front-proxy-ca', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  const frontProxyClient = client('front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, frontProxyCa);

  const privateKeyFile = join(dir, 'sa.key');
  const publicKeyFile = join(dir, 'sa.pub');
  writeFileSync(publicKeyFile, newKey(privateKeyFile).publicPem);
  return { ca, apiServer, admin, controllerManager, scheduler, frontProxyCa, frontProxyClient, serviceAccount: { publicKeyFile, privateKeyFile } };
}
