// The `events` channel's digest: one versioned JSON document (docs/events.md, "The morning digest") with every
// count, and as many entries as fit the body budget in the digest's order (the healthy give way first), the rest
// counted in `itemsOmitted`.

import { EVENT_VERSION } from '../alerts/event.ts';
import { digestAttributesOf } from './attributes.ts';
import type { Digest, DigestItem } from './digest.ts';
import { BODY_BUDGET_BYTES } from './limits.ts';
import { utf8Bytes } from './text.ts';
import type { Rendered } from './types.ts';

export function renderDigestEvents(digest: Digest): Rendered {
  const { items, ...head } = digest;
  const json = (listed: DigestItem[]) =>
    JSON.stringify({
      version: EVENT_VERSION,
      type: 'digest',
      ...head,
      items: listed,
      itemsOmitted: items.length - listed.length,
    });
  // Without entries `itemsOmitted` is at its longest: what the entries may add is measured against that.
  let used = utf8Bytes(json([]));
  let shown = 0;
  for (const item of items) {
    used += utf8Bytes(JSON.stringify(item)) + 1;
    if (used > BODY_BUDGET_BYTES) break;
    shown++;
  }
  return { message: json(items.slice(0, shown)), attributes: digestAttributesOf(digest) };
}
