// SMS for the morning digest (messages/digest.ts): one segment of counts, e.g.
// `DIGEST em-prod 07:00 CEST: 1 failed, 1 stale, 12 ok`; the EM's name gives way first when it does not fit.

import { digestAttributesOf } from './attributes.ts';
import type { Digest } from './digest.ts';
import { countsPhrase } from './digest-describe.ts';
import { smsWith } from './sms.ts';
import { shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

export function renderDigestSms(digest: Digest, { timeZone }: RenderOptions): Rendered {
  // Before the counts, which may be cut: those of an EM that cannot be polled are out of date.
  const down = digest.source?.failedPolls ? ' EM UNREACHABLE' : '';
  const after = ` ${shortTime(digest.generatedAt, timeZone)}${down}: ${countsPhrase(digest.counts, true)}`;
  return {
    message: smsWith('DIGEST ', digest.enterpriseManager, after),
    attributes: digestAttributesOf(digest),
  };
}
