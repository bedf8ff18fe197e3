// A throw-away PKI made at start-up, like the self-signed certificate an EM installs: a CA, and a server
// certificate it signs for the given host names. Clients trust the CA's PEM; naming other hosts than the one
// connected to provokes a host-name mismatch.

import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import { DAY, HOUR } from '../duration.ts';

export interface ServerPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function makePki(hostnames: readonly string[]): Promise<ServerPki> {
  const notBeforeDate = new Date(Date.now() - HOUR); // tolerate clock skew
  const notAfterDate = new Date(Date.now() + 7 * DAY);
  const ca = await generate([{ name: 'commonName', value: 'Replica Alerts EM Simulator CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: hostnames[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hostnames.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
