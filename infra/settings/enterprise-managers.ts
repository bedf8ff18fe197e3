// The Enterprise Managers to poll. Credentials never appear here: each EM names an existing Secrets Manager secret
// by ARN, or the stack creates an empty one for the admin to fill. The CA bundle is public data, so it may be
// given inline or as a PEM file next to the settings.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Json, type Problems, readHttpsUrl, readList, readObject, readString } from './read.ts';

export interface EmSettings {
  /** Short name used in alerts, resource names and the per-EM schedule's input. */
  name: string;
  /** `https://host:9398/api/` (the REST API's base). */
  url: string;
  /** An existing secret; absent: the stack creates `<stack>/em/<name>` empty. */
  secretArn?: string | undefined;
  caCert?: string | undefined;
}

/** The same rule as the Lambda's (functions/poller/env.ts), so a name that synthesises also runs. */
const EM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const KNOWN = ['name', 'url', 'secretArn', 'caCert', 'caCertFile'];
const CREDENTIAL_KEYS = ['username', 'password', 'user', 'credentials'];
const EXAMPLE = '{"name": "em-prod", "url": "https://em.example.com:9398/api/"}';

export function readEnterpriseManagers(value: unknown, baseDir: string, problems: Problems): EmSettings[] {
  const path = 'enterpriseManagers';
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, `give a non-empty list of Enterprise Managers, e.g. [${EXAMPLE}].`);
    return [];
  }
  const ems = readList(value, path, problems, (entry, at) => readEm(entry, at, baseDir, problems));
  const seen = new Set<string>();
  for (const em of ems) {
    if (seen.has(em.name))
      problems.add(path, `the name "${em.name}" is used twice; give each EM its own name.`);
    seen.add(em.name);
  }
  return ems;
}

function readEm(value: unknown, path: string, baseDir: string, problems: Problems): EmSettings | undefined {
  const credentials = Object.keys(value ?? {}).filter((k) => CREDENTIAL_KEYS.includes(k));
  for (const key of credentials) {
    problems.add(
      `${path}.${key}`,
      'never put credentials in the settings: they would land in the template. Remove it and store ' +
        'them in the EM secret (see the deploy guide).',
    );
  }
  const em = readObject(value, path, [...KNOWN, ...credentials], problems, EXAMPLE);
  if (!em) return undefined;
  const before = problems.list.length;
  const name = readString(
    em.name,
    `${path}.name`,
    EM_NAME,
    problems,
    'give 1-64 letters, digits, dots, dashes or underscores, e.g. "em-prod".',
  );
  const url = readUrl(em.url, `${path}.url`, problems);
  const secretArn =
    em.secretArn === undefined
      ? undefined
      : readString(
          em.secretArn,
          `${path}.secretArn`,
          SECRET_ARN,
          problems,
          'give the ARN of an existing Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>), or leave it out to have the stack create an empty one.',
        );
  const caCert = readCaCert(em, path, baseDir, problems);
  if (problems.list.length > before || !name || !url) return undefined;
  return { name, url, secretArn, caCert };
}

function readUrl(value: unknown, path: string, problems: Problems): string | undefined {
  const fix = 'give the EM REST API URL, e.g. "https://em.example.com:9398/api/".';
  // The poller sends the EM credentials over this connection: plain HTTP is never acceptable from AWS.
  const url = readHttpsUrl(value, path, problems, fix, 'credentials go in the EM secret.');
  if (!url) return undefined;
  if (url.search || url.hash) return problems.add(path, `remove the query or fragment; ${fix}`);
  return value as string;
}

function readCaCert(em: Json, path: string, baseDir: string, problems: Problems): string | undefined {
  if (em.caCert !== undefined && em.caCertFile !== undefined) {
    return problems.add(path, 'give either caCert or caCertFile, not both.');
  }
  if (em.caCertFile !== undefined) {
    if (typeof em.caCertFile !== 'string')
      return problems.add(`${path}.caCertFile`, 'give a path to a PEM file.');
    let pem: string;
    try {
      pem = readFileSync(resolve(baseDir, em.caCertFile), 'utf8');
    } catch {
      return problems.add(`${path}.caCertFile`, `cannot read "${em.caCertFile}" (relative to ${baseDir}).`);
    }
    return PEM.test(pem)
      ? pem
      : problems.add(`${path}.caCertFile`, 'the file is not a PEM certificate bundle.');
  }
  if (em.caCert === undefined) return undefined;
  return readString(
    em.caCert,
    `${path}.caCert`,
    PEM,
    problems,
    'give a PEM bundle ("-----BEGIN CERTIFICATE-----\\n...\\n-----END CERTIFICATE-----"), or use caCertFile.',
  );
}
