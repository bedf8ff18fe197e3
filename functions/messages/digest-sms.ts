// SMS for the morning digest (messages/digest.ts): one segment of counts, e.g.
// `DIGEST em-prod 07:00 CEST: 1 failed, 1 stale, 12 ok`; the EM's name gives way first, then the last counts.

import { digestAttributesOf } from './attributes.ts';
import type { Digest } from './digest.ts';
import { countsPhrase } from './digest-describe.ts';
import { smsRoom, smsWith } from './sms.ts';
import { shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

export function renderDigestSms(digest: Digest, { timeZone }: RenderOptions): Rendered {
  // Before the counts, which may be cut: those of an EM that cannot be polled are out of date.
  const down = digest.source?.failedPolls ? ' EM UNREACHABLE' : '';
  const [before, name] = ['DIGEST ', digest.enterpriseManager];
  const lead = ` ${shortTime(digest.generatedAt, timeZone)}${down}: `;
  const counts = countsPhrase(digest.counts, true, smsRoom(before, name) - lead.length);
  return {
    message: smsWith(before, name, `${lead}${counts}`),
    attributes: digestAttributesOf(digest),
  };
}
