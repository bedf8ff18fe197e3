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
    doc = xml.parse(capTextNodes(text, expected, body), true);
  } catch (error) {
    throw new EmParseError(expected, `the XML is not well-formed (${(error as Error).message})`, body);
  }
  if (!isRaw(doc)) throw new EmParseError(expected, 'the XML has no root element', body);
  return doc;
}

/**
 * The longest text node kept. The XML parser needs some 35 bytes of heap per character of one node (a 30 MB
 * `FailureMessage` exhausts a 384 MB heap), and no name or reason needs more than this to be understood.
 */
export const MAX_TEXT_CHARS = 1 << 20;

/** Cuts text nodes longer than `MAX_TEXT_CHARS`, with a marker; a tag that long is refused. */
function capTextNodes(text: string, expected: string, body: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let lt = text.indexOf('<'); lt !== -1; ) {
    const next = text.indexOf('<', lt + 1);
    const end = next === -1 ? text.length : next;
    if (end - lt > MAX_TEXT_CHARS) {
      const gt = text.indexOf('>', lt);
      if (gt === -1 || gt >= end || gt - lt > MAX_TEXT_CHARS) {
        throw new EmParseError(expected, `a tag is longer than ${MAX_TEXT_CHARS} characters`, body);
      }
      let cut = gt + 1 + MAX_TEXT_CHARS;
      if (cut < end) {
        const amp = text.lastIndexOf('&', cut);
        if (amp > gt && cut - amp < 12 && !text.slice(amp, cut).includes(';')) cut = amp; // not inside `&amp;`
        if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut--; // nor between the halves of a surrogate pair
        parts.push(text.slice(copied, cut), ` [… ${end - cut} more characters cut by replica-alerts]`);
        copied = end;
      }
    }
    lt = next;
  }
  if (!parts.length) return text;
  parts.push(text.slice(copied));
  return parts.join('');
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
