// Published EM responses (copied unchanged from the project's reference material; see test/fixtures/em/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/em/', import.meta.url));

export const fixture = (name: string): string => readFileSync(`${DIR}${name}`, 'utf8');

export const fixtureNames = (): string[] => readdirSync(DIR).filter((n) => /\.(xml|json)$/.test(n));
