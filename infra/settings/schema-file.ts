// `npm run schema`: writes the settings file's JSON Schema (json-schema.ts) at the root of the repository,
// formatted as `npm run lint` wants it.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_FILE, settingsJsonSchema } from './json-schema.ts';

const path = join(import.meta.dirname, '..', '..', SCHEMA_FILE);
writeFileSync(path, `${JSON.stringify(settingsJsonSchema(), null, 2)}\n`);
execFileSync('npx', ['biome', 'format', '--write', path], { stdio: 'inherit' });
