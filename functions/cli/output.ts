// What the CLI does with each publication: publishes it to SNS when a topic is configured for its channel, and
// prints it in the chosen output format. Without topics, printing is the delivery (a repeated poll on the same
// state prints only what is new).

import { type Notifier, type Publication, publishInput } from '../notify/notifier.ts';
import { CHANNELS } from '../poller/env.ts';

export type OutputFormat = 'text' | 'json' | 'sns';

/** The channel each output format prints when nothing is published to SNS. */
const PRINTED: Record<OutputFormat, string[]> = {
  text: ['email'],
  json: ['events'],
  sns: [...CHANNELS].sort(),
};

export class CliNotifier implements Notifier {
  readonly channels: string[];

  constructor(
    private readonly format: OutputFormat,
    private readonly write: (line: string) => void,
    private readonly sns?: Notifier,
    private readonly topics: Record<string, string> = {},
  ) {
    this.channels = sns ? sns.channels : PRINTED[format];
  }

  async publish(publication: Publication): Promise<void> {
    await this.sns?.publish(publication);
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
