// The Enterprise Managers to poll. Credentials never appear here: each EM names an existing Secrets Manager secret
// by ARN, or the stack creates an empty one for the admin to fill. The CA bundle is public data, so it may be
// given inline or as a PEM file next to the settings.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { forbidden, noRepeats, settingsObject, text } from '../../functions/problems.ts';
import { EM_NAME, EM_NAME_RULE, SECRET_ARN } from '../../functions/rules.ts';
import { httpsUrl } from './rules.ts';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const EXAMPLE = '{"name": "em-prod", "url": "https://em.example.com:9398/api/"}';
const LIST_FIX = `give a non-empty list of Enterprise Managers, e.g. [${EXAMPLE}].`;
const CREDENTIALS =
  'never put credentials in the settings: they would land in the template. Remove it and store them in the EM ' +
  'secret (see the deploy guide).';

/** The Lambda's rule too (functions/rules.ts), so a name that synthesises also runs. */
const name = text(EM_NAME, `give ${EM_NAME_RULE}, e.g. "em-prod".`).meta({
  description: 'Short name used in alerts, resource names and the per-EM schedule, e.g. "em-prod".',
});

const URL_FIX = 'give the EM REST API URL, e.g. "https://em.example.com:9398/api/".';
/** The poller sends the EM credentials over this connection: plain HTTP is never acceptable from AWS. */
const url = z
  .string({ error: URL_FIX })
  .superRefine(httpsUrl({ fix: URL_FIX, credentials: 'credentials go in the EM secret.', query: false }))
  .meta({ description: 'The REST API base, https://<host>:9398/api/.' });

/** The Lambda's rule too (functions/rules.ts). */
const secretArn = text(
  SECRET_ARN,
  'give the ARN of an existing Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>), ' +
    'or leave it out to have the stack create an empty one.',
).meta({
  description:
    "An existing secret with the EM's credentials; absent: the stack creates <stackName>/em/<name>.",
});

const caCert = text(
  PEM,
  'give a PEM bundle ("-----BEGIN CERTIFICATE-----\\n...\\n-----END CERTIFICATE-----"), or use caCertFile.',
).meta({
  description: "PEM bundle of the CA that issued the EM's certificate (self-signed: the certificate).",
});

/** A PEM file, read relative to the settings file: its content becomes the EM's caCert. */
const caCertFile = (baseDir: string) =>
  z
    .string({ error: 'give a path to a PEM file.' })
    .transform((file, ctx) => {
      const pem = readText(resolve(baseDir, file));
      if (pem !== undefined && PEM.test(pem)) return pem;
      const problem =
        pem === undefined
          ? `cannot read "${file}" (relative to ${baseDir}).`
          : 'the file is not a PEM certificate bundle.';
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    })
    .meta({
      description: 'Path of a PEM file with the CA bundle, relative to the settings file; or use caCert.',
    });

function emFields(baseDir: string) {
  return settingsObject(
    {
      name,
      url,
      secretArn: secretArn.optional(),
      caCert: caCert.optional(),
      caCertFile: caCertFile(baseDir).optional(),
      username: forbidden(CREDENTIALS),
      password: forbidden(CREDENTIALS),
      user: forbidden(CREDENTIALS),
      credentials: forbidden(CREDENTIALS),
    },
    `give an object, e.g. ${EXAMPLE}.`,
  );
}

/** An EM as the stack uses it: the CA bundle read, whichever way it was given. */
export type EmSettings = Pick<z.output<ReturnType<typeof emFields>>, 'name' | 'url' | 'secretArn' | 'caCert'>;

/** `baseDir`: where a caCertFile is read from. */
export function enterpriseManagers(baseDir: string) {
  const em = emFields(baseDir)
    .refine((given) => given.caCert === undefined || given.caCertFile === undefined, {
      error: 'give either caCert or caCertFile, not both.',
    })
    .transform(
      (given): EmSettings => ({
        name: given.name,
        url: given.url,
        secretArn: given.secretArn,
        caCert: given.caCert ?? given.caCertFile,
      }),
    );
  return z
    .array(em, { error: LIST_FIX })
    .min(1, LIST_FIX)
    .superRefine(
      noRepeats(
        (entry) => entry.name,
        (repeated) => `the name "${repeated}" is used twice; give each EM its own name.`,
      ),
    )
    .meta({ description: 'The Enterprise Managers to poll.' });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
