// Published EM responses (copied unchanged from the project's reference material; see test/fixtures/em/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/em/', import.meta.url));

export const fixture = (name: string): string => readFileSync(`${DIR}${name}`, 'utf8');

export const fixtureNames = (): string[] => readdirSync(DIR).filter((n) => /\.(xml|json)$/.test(n));

/**
 * A published `?format=Entity` sample as one row of a query answer, the way the query pages wrap the same entity
 * (fixtures `query-cdp-policy.xml` and `cdp-policy-entity.xml` show both for a CDP policy).
 */
export const asQueryAnswer = (container: string, entity: string): string =>
  `<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><${container}>${entity}</${container}></Entities>` +
  '<PagingInfo PagesCount="1" PageSize="100" PageNum="1" /></QueryResult>';
