// The JSON Schema of the stack's settings file, generated from its Zod schema (the input side: what an admin
// writes, with the defaults and descriptions editors show). Committed at the root; `npm run schema` rewrites it.

import * as z from 'zod';
import { stackSettingsSchema } from './schema.ts';

export const SCHEMA_FILE = 'replica-alerts.settings.schema.json';

export function settingsJsonSchema(): object {
  // No file is read: only the parse, never the JSON Schema, uses the base directory.
  return z.toJSONSchema(stackSettingsSchema('.'), { io: 'input', target: 'draft-2020-12' });
}
