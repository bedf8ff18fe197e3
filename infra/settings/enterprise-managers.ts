// The Enterprise Managers to poll. Credentials never appear here: each EM names an existing Secrets Manager secret
// by ARN, or the stack creates an empty one for the admin to fill. The CA bundle is public data, so it may be
// given inline or as a PEM file next to the settings.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Fields, repeats, type Setting, type StringRule } from './read.ts';
import type { EmSettings } from './types.ts';

/** The same rule as the Lambda's (functions/poller/env.ts), so a name that synthesises also runs. */
const EM_NAME: StringRule = {
  pattern: /^[A-Za-z0-9._-]{1,64}$/,
  fix: 'give 1-64 letters, digits, dots, dashes or underscores, e.g. "em-prod".',
};
const SECRET_ARN: StringRule = {
  pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
  fix: 'give the ARN of an existing Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>), or leave it out to have the stack create an empty one.',
};
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const CA_CERT: StringRule = {
  pattern: PEM,
  fix: 'give a PEM bundle ("-----BEGIN CERTIFICATE-----\\n...\\n-----END CERTIFICATE-----"), or use caCertFile.',
};
const URL_FIX = 'give the EM REST API URL, e.g. "https://em.example.com:9398/api/".';
const KNOWN = ['name', 'url', 'secretArn', 'caCert', 'caCertFile'];
const CREDENTIAL_KEYS = ['username', 'password', 'user', 'credentials'];
const EXAMPLE = '{"name": "em-prod", "url": "https://em.example.com:9398/api/"}';

export function readEnterpriseManagers(settings: Fields, baseDir: string): EmSettings[] {
  const entries = settings.get('enterpriseManagers');
  if (!Array.isArray(entries.value) || entries.value.length === 0) {
    entries.problem(`give a non-empty list of Enterprise Managers, e.g. [${EXAMPLE}].`);
    return [];
  }
  const ems = entries.list((entry) => readEm(entry, baseDir));
  for (const name of repeats(ems.map((em) => em.name)))
    entries.problem(`the name "${name}" is used twice; give each EM its own name.`);
  return ems;
}

function readEm(entry: Setting, baseDir: string): EmSettings | undefined {
  const credentials = Object.keys(entry.value ?? {}).filter((k) => CREDENTIAL_KEYS.includes(k));
  for (const key of credentials) {
    entry.problems.add(
      `${entry.path}.${key}`,
      'never put credentials in the settings: they would land in the template. Remove it and store ' +
        'them in the EM secret (see the deploy guide).',
    );
  }
  const em = entry.object({ known: [...KNOWN, ...credentials], example: EXAMPLE });
  if (!em) return undefined;
  const before = em.problems.list.length;
  const name = em.string('name', EM_NAME);
  const url = readUrl(em.get('url'));
  const secretArn = em.optionalString('secretArn', SECRET_ARN);
  const caCert = readCaCert(em, baseDir);
  if (em.problems.list.length > before || !name || !url) return undefined;
  return { name, url, secretArn, caCert };
}

function readUrl(setting: Setting): string | undefined {
  // The poller sends the EM credentials over this connection: plain HTTP is never acceptable from AWS.
  const url = setting.httpsUrl({ fix: URL_FIX, credentials: 'credentials go in the EM secret.' });
  if (!url) return undefined;
  if (url.search || url.hash) return setting.problem(`remove the query or fragment; ${URL_FIX}`);
  return setting.value as string;
}

function readCaCert(em: Fields, baseDir: string): string | undefined {
  const file = em.get('caCertFile');
  if (em.given.caCert !== undefined && file.value !== undefined) {
    return em.problem('give either caCert or caCertFile, not both.');
  }
  if (file.value === undefined) return em.optionalString('caCert', CA_CERT);
  if (typeof file.value !== 'string') return file.problem('give a path to a PEM file.');
  let pem: string;
  try {
    pem = readFileSync(resolve(baseDir, file.value), 'utf8');
  } catch {
    return file.problem(`cannot read "${file.value}" (relative to ${baseDir}).`);
  }
  return PEM.test(pem) ? pem : file.problem('the file is not a PEM certificate bundle.');
}
