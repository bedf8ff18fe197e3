// A minimal XML writer. Names, reasons and messages are data that may hold `&<>"'`, newlines or non-ASCII
// text; everything is escaped so a conforming parser reads back exactly what the scenario holds.

const NAMESPACES: Attrs = [
  ['xmlns:xsd', 'http://www.w3.org/2001/XMLSchema'],
  ['xmlns:xsi', 'http://www.w3.org/2001/XMLSchema-instance'],
  ['xmlns', 'http://www.veeam.com/ent/v1.0'],
];

/** Attribute name and value pairs, in order; a null or undefined value leaves the attribute out. */
export type Attrs = readonly (readonly [string, string | number | null | undefined])[];

// Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD.
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
// In attributes, also quotes and whitespace that attribute-value normalisation would turn into spaces.
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#xA;', '\t': '&#x9;' };

export const escapeText = (text: string): string =>
  text.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);

export const escapeAttr = (text: string): string =>
  text.replace(NOT_XML, '\uFFFD').replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESCAPES[c] ?? c);

/** `<name attrs>content</name>`, or `<name attrs />` when there is no content. `content` is XML already. */
export function element(name: string, attrs: Attrs = [], content = ''): string {
  let open = `<${name}`;
  for (const [key, value] of attrs)
    if (value !== null && value !== undefined) open += ` ${key}="${escapeAttr(String(value))}"`;
  return content === '' ? `${open} />` : `${open}>${content}</${name}>`;
}

/** An element holding text (escaped here). */
export const textElement = (name: string, text: string): string => element(name, [], escapeText(text));

/** A whole document: declaration, and the EM namespaces on the root element. */
export const xmlDocument = (name: string, attrs: Attrs, content: string): string =>
  `<?xml version="1.0" encoding="utf-8"?>${element(name, [...attrs, ...NAMESPACES], content)}`;
