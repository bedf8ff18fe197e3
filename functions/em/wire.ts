// Turns an EM response body (XML or JSON) into plain "raw records": objects whose properties are the EM's
// attribute and element names, whichever format carried them. The model mappers (`entities.ts`) read those.
// XML from a network peer is untrusted: no DTD is accepted and only the five standard entities are expanded.

import { XMLParser } from 'fast-xml-parser';
import { EmParseError } from './errors.ts';
import type { WireFormat } from './model.ts';

export type Raw = Record<string, unknown>;

/** XML roots that are collections: their children are list items whatever their element name. */
const COLLECTION_ROOTS = new Set([
  'EntityReferences',
  'ReplicaJobSessions',
  'ReplicaTaskSessions',
  'CdpReplicaSessions',
  'CdpReplicaTaskSessions',
]);

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // names and reasons are kept exactly as the EM wrote them
  processEntities: true,
  htmlEntities: true, // decodes numeric references too (&#xD; &#x9;), which .NET writes for CR and tab
  ignoreDeclaration: true,
  // A collection of one is still a collection: every list element parses as an array.
  isArray: (name, jpath, _isLeaf, isAttribute) => {
    if (isAttribute) return false;
    const path = String(jpath).split('.');
    if (name === 'Link' || name === 'Ref') return true;
    if (path.length === 2 && COLLECTION_ROOTS.has(path[0] ?? '')) return true;
    return path.length === 4 && path[0] === 'QueryResult' && path[1] === 'Entities';
  },
});

const NON_XML_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^\s<&;]{0,16};?/;

/** Parses a body to a document `{ <RootName>: Raw }` (XML) or the JSON value itself. */
export function parseBody(body: string, format: WireFormat, expected: string): Raw {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body; // some EMs prefix a UTF-8 BOM
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new EmParseError(expected, `the JSON is invalid (${(error as Error).message})`, body);
    }
    if (!isRaw(value)) throw new EmParseError(expected, 'the JSON is not an object', body);
    return value;
  }
  if (!/^\s*</.test(text)) throw new EmParseError(expected, 'the answer is not XML', body);
  if (/^\s*<(!DOCTYPE\s+html|html)[\s>]/i.test(text)) {
    throw new EmParseError(expected, 'got an HTML page (a proxy or web server answered, not the EM)', body);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new EmParseError(expected, 'the XML declares a DTD, which is refused', body);
  // `htmlEntities` (needed for numeric references) would also expand HTML's named ones, which XML without a DTD
  // does not define: such a document is not well-formed, and its text must not be silently rewritten.
  const entity = NON_XML_ENTITY.exec(text);
  if (entity) {
    throw new EmParseError(
      expected,
      `the XML uses "${entity[0]}", which is not one of XML's entities (&amp; &lt; &gt; &quot; &apos; &#n;)`,
      body,
    );
  }
  let doc: unknown;
  try {
    doc = xml.parse(text, true);
  } catch (error) {
    throw new EmParseError(expected, `the XML is not well-formed (${(error as Error).message})`, body);
  }
  if (!isRaw(doc)) throw new EmParseError(expected, 'the XML has no root element', body);
  return doc;
}

export function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The single root element of an XML document, checked against the expected names. */
export function xmlRoot(doc: Raw, names: readonly string[], expected: string, body: string): Raw {
  for (const name of names) {
    const root = doc[name];
    if (isRaw(root)) return root;
    if (typeof root === 'string' && root.trim() === '') return {}; // an empty root, e.g. `<ReplicaTaskSessions />`
  }
  const found = Object.keys(doc).join(', ') || 'nothing';
  throw new EmParseError(expected, `the root element is ${found}`, body);
}

/** A list that XML gives as an array (or an empty string for an empty container) and JSON as an array or null. */
export function list(value: unknown, expected: string, body: string): Raw[] {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return [];
  if (!Array.isArray(value) || !value.every(isRaw))
    throw new EmParseError(expected, 'a list is malformed', body);
  return value;
}

/** A Link as `{ Rel, Type, Href, Name }` from either format. */
export interface Link {
  rel: string;
  type: string | null;
  href: string;
  name: string | null;
}

export function links(record: Raw): Link[] {
  const raw = record.Links;
  const items = isRaw(raw) ? raw.Link : raw; // XML nests `Links/Link`; JSON has `Links: [...]`
  if (!Array.isArray(items)) return [];
  return items.filter(isRaw).map((l) => ({
    rel: String(l.Rel ?? ''),
    type: typeof l.Type === 'string' ? l.Type : null,
    href: String(l.Href ?? ''),
    name: typeof l.Name === 'string' ? l.Name : null,
  }));
}
