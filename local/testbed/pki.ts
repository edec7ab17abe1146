// The test bed's client certificate authority: kube-apiserver trusts it (--client-ca-file), and identities that
// authenticate with a certificate (nodes, as kubelets do) get one signed by it. Made with the openssl CLI (EC P-256
// keys: a certificate takes a few milliseconds).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClientCa {
  certFile: string;
  keyFile: string;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Escapes a value for openssl's -subj syntax (/type=value/...). */
function subjectValue(value: string): string {
  return value.replace(/[\\/=+,]/g, (c) => `\\${c}`);
}

/** Creates <dir>/client-ca.{crt,key} (valid a few days: a test bed lives minutes, `npm start` hours). */
export async function createClientCa(dir: string): Promise<ClientCa> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = { certFile: path.join(dir, 'client-ca.crt'), keyFile: path.join(dir, 'client-ca.key') };
  await run('openssl', ['req', '-x509', '-new', ...EC_KEY, '-keyout', ca.keyFile, '-out', ca.certFile, '-days', '7', '-subj', '/CN=testbed-client-ca']);
  fs.chmodSync(ca.keyFile, 0o600);
  return ca;
}

/**
 * A client certificate for `username` in `groups`: kube-apiserver takes the user from the subject's CN and the
 * groups from its O attributes.
 */
export async function issueClientCertificate(ca: ClientCa, username: string, groups: readonly string[]): Promise<ClientCertificate> {
  if (!username) throw new Error('issueClientCertificate: username is empty');
  const subject = [...groups.map((g) => `/O=${subjectValue(g)}`), `/CN=${subjectValue(username)}`].join('');
  const { stdout } = await run(
    'openssl',
    [
      'req', '-x509', '-new', ...EC_KEY, '-keyout', '-', '-out', '-', '-days', '7', '-subj', subject,
      '-CA', ca.certFile, '-CAkey', ca.keyFile,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'extendedKeyUsage=clientAuth',
    ],
    { encoding: 'utf8' },
  );
  const keyPem = stdout.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/)?.[0];
  const certPem = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)?.[0];
  if (!keyPem || !certPem) throw new Error(`openssl did not print a key and a certificate for ${username}`);
  return { certPem, keyPem };
}
