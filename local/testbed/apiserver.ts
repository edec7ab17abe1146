// kube-apiserver for the test bed: loopback only, Node and RBAC authorization with the NodeRestriction admission
// plugin (as on EKS), static token and client certificate authentication, self-signed serving cert (written to its
// --cert-dir), a unique --etcd-prefix. Ready when /readyz answers 200 to the admin. Clients reach it through a
// readiness gate (readiness-gate.ts), the stand-in for the load balancer in front of an EKS endpoint.
import { generateKeyPair, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tokenAuthFile, type IssuedIdentity } from './identities.js';
import { createClientCa, type ClientCa } from './pki.js';
import { freePort, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { spawnReadinessGate, type ReadinessGate } from './readiness-gate.js';
import { waitUntilReady } from './ready.js';

export interface ApiserverFiles {
  dir: string;
  certDir: string;
  /** The self-signed serving cert (with its CA) the apiserver writes on start; trust it as CA. */
  caFile: string;
  tokenFile: string;
  saKeyFile: string;
  saPubFile: string;
  /** The CA whose client certificates the apiserver accepts (node identities use them). */
  clientCa: ClientCa;
}

export interface Apiserver {
  /** The client-facing URL: the readiness gate's. */
  url: string;
  /** Where kube-apiserver itself listens (only the gate and the readiness checks use it). */
  backendUrl: string;
  gate: ReadinessGate;
  caFile: string;
  etcdPrefix: string;
  process: ManagedProcess;
}

/** Key pair for service account tokens and the static token file; independent of etcd, so done meanwhile. */
export async function prepareApiserverFiles(runDir: string, identities: IssuedIdentity[]): Promise<ApiserverFiles> {
  const dir = path.join(runDir, 'apiserver');
  const certDir = path.join(dir, 'certs');
  fs.mkdirSync(certDir, { recursive: true });
  const [{ publicKey, privateKey }, clientCa] = await Promise.all([
    promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }),
    createClientCa(path.join(dir, 'pki')),
  ]);
  const files: ApiserverFiles = {
    dir,
    certDir,
    caFile: path.join(certDir, 'apiserver.crt'),
    tokenFile: path.join(dir, 'tokens.csv'),
    saKeyFile: path.join(dir, 'sa.key'),
    saPubFile: path.join(dir, 'sa.pub'),
    clientCa,
  };
  fs.writeFileSync(files.saKeyFile, privateKey, { mode: 0o600 });
  fs.writeFileSync(files.saPubFile, publicKey);
  fs.writeFileSync(files.tokenFile, tokenAuthFile(identities), { mode: 0o600 });
  return files;
}

interface ApiserverStart {
  bin: string;
  runDir: string;
  etcdUrl: string;
  files: ApiserverFiles;
  adminToken: string;
  timeoutMs?: number;
}

export function startApiserver(opts: ApiserverStart): Promise<Apiserver> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    // A cert left by an earlier attempt would name another port's issuer; let the apiserver write a fresh one.
    fs.rmSync(opts.files.caFile, { force: true });
    fs.rmSync(path.join(opts.files.certDir, 'apiserver.key'), { force: true });
    // No client knows the gate's URL before this returns, after /readyz: it may be open from the start.
    const gate = await spawnReadinessGate({ runDir: opts.runDir, port: await freePort(), backendPort: port });
    try {
      const api = await runApiserver(opts, port, `/testbed-${path.basename(opts.runDir)}-${randomBytes(3).toString('hex')}`, gate);
      await gate.waitListening();
      return api;
    } catch (error) {
      await gate.process.stop();
      throw error;
    }
  });
}

/**
 * Stops the API server (SIGTERM, as a node's kubelet would) and starts it again on the same port, with the same
 * serving certificate and the same etcd prefix: its clients see a restart, not a new cluster. The gate shuts before
 * the stop and opens again only once the new process answers /readyz (its authorizer and informers synced), as an
 * EKS endpoint's load balancer takes an API server out of rotation and back.
 */
export async function restartApiserver(opts: ApiserverStart, running: Apiserver, downMs = 0): Promise<Apiserver> {
  await running.gate.shut();
  await running.process.stop();
  await new Promise((r) => setTimeout(r, downMs));
  const port = Number(new URL(running.backendUrl).port);
  for (let attempt = 0; ; attempt++) {
    try {
      const restarted = await runApiserver(opts, port, running.etcdPrefix, running.gate);
      await running.gate.open();
      return restarted;
    } catch (error) {
      // Someone may hold the port for a moment (a connection in TIME_WAIT is no obstacle; a new listener is).
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function runApiserver(opts: ApiserverStart, port: number, etcdPrefix: string, gate: ReadinessGate): Promise<Apiserver> {
  const { files } = opts;
  const url = `https://127.0.0.1:${port}`;
  const issuer = `${gate.url}/`;
  const proc = await spawnManaged({
    name: 'kube-apiserver',
    command: opts.bin,
    runDir: opts.runDir,
    args: [
      `--etcd-servers=${opts.etcdUrl}`,
      `--etcd-prefix=${etcdPrefix}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${files.certDir}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--disable-admission-plugins=ServiceAccount',
      `--service-account-issuer=${issuer}`,
      `--service-account-key-file=${files.saPubFile}`,
      `--service-account-signing-key-file=${files.saKeyFile}`,
      `--token-auth-file=${files.tokenFile}`,
      `--client-ca-file=${files.clientCa.certFile}`,
    ],
  });
  try {
    await waitUntilReady(proc, {
      url: `${url}/readyz`,
      headers: { Authorization: `Bearer ${opts.adminToken}` },
      caFile: files.caFile,
      timeoutMs: opts.timeoutMs ?? 60_000,
      intervalMs: 100,
    });
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
  return { url: gate.url, backendUrl: url, gate, caFile: files.caFile, etcdPrefix, process: proc };
}
