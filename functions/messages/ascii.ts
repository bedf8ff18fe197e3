// Plain printable ASCII within GSM-7's basic set, for SMS (one segment) and e-mail subjects.

import { line } from './text.ts';

const TABLE: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  ø: 'o',
  Ø: 'O',
  œ: 'oe',
  Œ: 'OE',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'ng',
  Ŋ: 'NG',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '‐': '-',
  '−': '-',
  '…': '...',
  '•': '*',
  '·': '.',
  '×': 'x',
  '€': 'EUR',
  // ASCII outside GSM-7's basic set: escapes cost two characters, a backtick forces UCS-2.
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '\\': '/',
  '|': '/',
  '^': '',
  '~': '-',
  '`': "'",
};

/** Transliterates to printable GSM-7-basic ASCII: accents dropped, a few letters spelled out, the rest `?`. */
export function toGsmAscii(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKD')) {
    if (/\p{M}/u.test(ch)) continue;
    const mapped = TABLE[ch];
    if (mapped !== undefined) out += mapped;
    else if (ch >= ' ' && ch <= '~') out += ch;
    else out += /\s|\p{Cc}/u.test(ch) ? ' ' : '?';
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** A name or phrase from anywhere as one line of GSM-7-basic ASCII (cut first: SMS and subjects fit it further). */
export const asciiLine = (text: string): string => toGsmAscii(line(text, 200));

/** A name from the EM on one ASCII line; `?` when nothing of it is left. */
export const asciiName = (name: string): string => asciiLine(name) || '?';
