// What the CLI does with each publication: publishes it to SNS when a topic is configured for its channel, and
// prints it in the chosen output format, topics or not. Printing is delivery too (a repeated poll on the same
// state prints only what is new), so the channels are those with a topic plus those the format prints.

import { CHANNELS, type Channel } from '../messages/types.ts';
import { type Notifier, type Publication, publishInput } from '../notify/notifier.ts';

export type OutputFormat = 'text' | 'json' | 'sns';

/** The channels each output format prints. */
const PRINTED: Record<OutputFormat, readonly Channel[]> = {
  text: ['email'],
  json: ['events'],
  sns: CHANNELS,
};

export class CliNotifier implements Notifier {
  readonly channels: readonly Channel[];

  constructor(
    private readonly format: OutputFormat,
    private readonly write: (line: string) => void,
    private readonly sns?: Notifier,
    private readonly topics: Record<string, string> = {},
  ) {
    this.channels = [...new Set([...(sns?.channels ?? []), ...PRINTED[format]])].sort();
  }

  async publish(publication: Publication): Promise<void> {
    if (this.sns?.channels.includes(publication.channel)) await this.sns.publish(publication);
    if (this.format === 'sns') {
      const input = publishInput(publication, this.topics[publication.channel]);
      this.write(JSON.stringify({ channel: publication.channel, ...input }));
    } else if (this.format === 'json' && publication.channel === 'events') {
      this.write(publication.message);
    } else if (this.format === 'text' && publication.channel === 'email') {
      this.write(
        `Subject: ${publication.subject ?? ''}\n\n${publication.message.trimEnd()}\n${'-'.repeat(78)}`,
      );
    }
  }
}
