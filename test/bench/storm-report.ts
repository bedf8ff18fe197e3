// The storm's rows of the benchmark's table (storm.ts): its wall time and where it went, the calls DynamoDB and SNS
// answered, the messages each channel got, and the CLI's first poll of it against the download floor.

import { CHANNELS } from '../../functions/messages/types.ts';
import { IN_FLIGHT } from '../../functions/parallel.ts';
import { counted, mb, ms, n, type Row, verdict } from './format.ts';
import type { StormFigures } from './storm.ts';

/** Goals from issue 14, part 3. */
export const STORM_GOALS = { wallMs: 60_000, cliFloorRatio: 2 };

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export function stormRows(storm: StormFigures): Row[] {
  const { poll, dynamo, sns, floor, cli } = storm;
  const wall = poll.result.wallMs;
  const summary = poll.result.summary;
  const dynamoRequests = sum(dynamo.operations);
  const snsCalls = sum(sns.calls);
  const delivered = CHANNELS.map((channel) => `${channel} ${n(sns.channels[channel].messages)}`).join(', ');
  const printed = CHANNELS.map((channel) => `${channel} ${n(cli.printed[channel] ?? 0)}`).join(', ');
  const cliRatio = cli.wallMs / floor.wallMs;
  // Requests overlap (up to IN_FLIGHT at a time): their times added up are more than the wall time they took.
  return [
    [
      `Storm, first poll (${n(storm.failures)} failures, ${CHANNELS.length} channels, DynamoDB ${storm.dynamoMs} ms, ` +
        `SNS ${storm.snsMs} ms)`,
      `${ms(wall)} (EM session ${ms(poll.emPhaseMs)}, ${n(poll.requests)} requests; after it ${ms(wall - poll.emPhaseMs)}: ` +
        `DynamoDB ${n(dynamoRequests)} requests, ${ms(dynamo.busyMs)} added up, ` +
        `${ms(dynamoRequests * storm.dynamoMs)} of it latency; SNS ${n(snsCalls)} calls, ` +
        `${ms(snsCalls * storm.snsMs)} of latency added up; at most ${IN_FLIGHT} requests in flight)`,
      `≤ ${STORM_GOALS.wallMs / 1000} s (one poll)`,
      verdict(wall <= STORM_GOALS.wallMs),
    ],
    [
      'Storm, DynamoDB / SNS calls',
      `DynamoDB ${counted(dynamo.operations)}; SNS ${counted(sns.calls)}`,
      '',
      '',
    ],
    [
      'Storm, messages per channel',
      `${delivered} (${n(summary.eventsDecided)} events decided, ${n(summary.published)} messages published, ` +
        `${n(summary.pending)} pending; the CLI printed ${printed === delivered ? 'the same' : printed})`,
      '',
      '',
    ],
    [
      'Storm, CLI first poll (embedded state) / download floor',
      `${cliRatio.toFixed(2)}x (CLI ${ms(cli.wallMs)}, its store ${counted(cli.dynamo)}; floor ${ms(floor.wallMs)}: ` +
        `${n(floor.requests)} requests, ${mb(floor.bytes)})`,
      `≤ ${STORM_GOALS.cliFloorRatio}x`,
      verdict(cliRatio <= STORM_GOALS.cliFloorRatio),
    ],
  ];
}
