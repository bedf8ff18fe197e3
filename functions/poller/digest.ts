// The morning digest of one EM, built from its stored state and the silences, published once on each channel the
// notifier has. No EM is read, nothing is written: a digest is informational, so it has no outbox. A channel whose
// publish fails is logged and counted; the next scheduled digest is the retry, and nothing is deduplicated.

import type { Settings, SubjectState } from '../alerts/index.ts';
import { buildDigest } from '../messages/digest.ts';
import { DIGEST_RENDERERS } from '../messages/render.ts';
import { type PollerDeps, readSilences } from './poll.ts';

export type DigestDeps = Pick<PollerDeps, 'store' | 'silences' | 'notifier' | 'now' | 'log'>;

export interface DigestSummary {
  em: string;
  /** `crashed`: the state or the silences could not be read (DynamoDB down, a bug); nothing was sent. */
  status: 'ok' | 'crashed';
  error?: { kind: 'crash'; message: string };
  /** The jobs and policies it lists. */
  items: number;
  published: number;
  publishFailures: number;
}

export async function sendDigest(em: string, deps: DigestDeps, settings: Settings): Promise<DigestSummary> {
  const { store, notifier, log } = deps;
  const nowMs = deps.now().getTime();
  const snapshot = await store.load<SubjectState, unknown>({ em, nowMs });
  const silences = await readSilences(deps, em);
  const digest = buildDigest({
    em,
    now: new Date(nowMs).toISOString(),
    states: snapshot.subjects.map((record) => record.state),
    silences,
    settings,
  });
  const summary: DigestSummary = {
    em,
    status: 'ok',
    items: digest.items.length,
    published: 0,
    publishFailures: 0,
  };
  for (const channel of notifier.channels) {
    const rendered = DIGEST_RENDERERS[channel](digest, { timeZone: settings.timeZone });
    try {
      await notifier.publish({ channel, ...rendered });
      summary.published++;
    } catch (error) {
      summary.publishFailures++;
      log.error('Publishing the digest failed; the next scheduled digest is the retry.', {
        em,
        channel,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return summary;
}
