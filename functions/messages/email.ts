// E-mail: a plain-text report for an inbox, and a one-line Subject of at most 99 characters, e.g.
// `[FAILED] Replica job "SQL Replication" on srv02.tech.local: 2 of 5 VMs failed`.

import type { AlertEvent } from '../alerts/event.ts';
import { asciiLine } from './ascii.ts';
import { attributesOf } from './attributes.ts';
import { label, NOUN, nextSteps, quietNote, rpoPhrase, silenceNote, summary } from './describe.ts';
import { fieldLines, indent, stepLines, subjectWith, vmsField, within } from './email-layout.ts';
import { hintStepLines, hintsOf } from './hints.ts';
import { BODY_BUDGET_BYTES, EMAIL_MAX_VMS, EMAIL_NAME_CHARS, EMAIL_TEXT_CHARS } from './limits.ts';
import { block, line, plural, utf8Bytes } from './text.ts';
import { duration, formatTime, span } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

/** After `Stale after:` and the threshold, where it came from. */
const STALE_BASIS = {
  median: 'without a finished run (3 x the median gap between its runs)',
  'few-runs': 'without a finished run (the default while fewer than 3 runs are known)',
  configured: 'without a finished run (configured)',
  schedule: 'past the run the Enterprise Manager scheduled, with no session started (missedRunGrace)',
};

export function renderEmail(event: AlertEvent, options: RenderOptions): Rendered {
  return { subject: subjectLine(event), message: body(event, options), attributes: attributesOf(event) };
}

/** ASCII where possible; the name is shortened first, then the whole line. */
export function subjectLine(event: AlertEvent): string {
  const server = event.subject.backupServer ? ` on ${asciiLine(event.subject.backupServer)}` : '';
  return subjectWith(
    `[${label(event)}] ${NOUN[event.subject.kind]} "`,
    event.subject.name,
    `"${server}: ${asciiLine(summary(event))}`,
  );
}

function body(event: AlertEvent, options: RenderOptions): string {
  const { timeZone } = options;
  const name = (s: string) => line(s, EMAIL_NAME_CHARS);
  const time = (iso: string | null | undefined) => (iso ? formatTime(iso, timeZone) : null);
  const { subject, session } = event;
  const lines: string[] = [
    `${NOUN[subject.kind]} "${name(subject.name)}": ${label(event)} - ${summary(event)}`,
    '',
  ];
  const field = (key: string, value: string | null | undefined) => lines.push(...fieldLines(key, value));
  if (subject.kind !== 'enterprise-manager')
    field(subject.kind === 'cdp-policy' ? 'Policy' : 'Job', name(subject.name));
  field('Backup server', subject.backupServer && name(subject.backupServer));
  field('Enterprise Manager', name(subject.enterpriseManager));
  if (session) {
    // A stale or disabled job's session is its last run, whatever it ended with: not what the alert is about.
    const last = event.event === 'stale' || event.schedule !== undefined;
    field(last ? 'Last run' : 'Session', name(session.name));
    field(
      last ? 'Last run result' : 'Result',
      session.state === 'Stopped' ? name(session.result) : `session still running (${name(session.state)})`,
    );
    if (session.isRetry) field('Retry', `yes, Veeam's retry ${session.retries} of this run`);
    field('Started', time(session.creationTime));
    const took = duration(session.creationTime, session.endTime);
    field('Ended', session.endTime && `${time(session.endTime)}${took ? ` (took ${took})` : ''}`);
  }
  field('VMs', vmsField(event.counts));
  field('RPO', rpoPhrase(event));
  if (event.schedule) field('Disabled since', time(event.failingSince));
  else if (
    !event.longRun &&
    event.event !== 'stale' &&
    event.event !== 'source-unreachable' &&
    event.subject.kind !== 'enterprise-manager'
  ) {
    const since = time(event.failingSince);
    const runs = event.failedRuns ? `, ${plural(event.failedRuns, 'failed run')}` : '';
    field(event.event === 'resolved' ? 'Was failing since' : 'Failing since', since && `${since}${runs}`);
  }
  if (event.longRun) {
    field('Session started', time(event.longRun.startedAt));
    field('Running for', span(event.longRun.runningMinutes));
    if (event.longRun.usualMinutes !== null) field('Usually', span(event.longRun.usualMinutes));
    const basis = event.longRun.basis === 'configured' ? 'maxRunDuration' : '3 x the usual, at least 30 min';
    field('Long after', `${span(event.longRun.limitMinutes)} (${basis})`);
  }
  if (event.stale?.dueAt) field('Run due', time(event.stale.dueAt));
  if (event.schedule?.nextRun) field('Next run', time(event.schedule.nextRun));
  if (event.stale) {
    field('Stale after', `${span(event.stale.thresholdMinutes)} ${STALE_BASIS[event.stale.basis]}`);
  }
  if (event.source) {
    field('Failed polls', String(event.source.failedPolls));
    field(event.event === 'resolved' ? 'Unreachable since' : 'First failed poll', time(event.failingSince));
    if (event.source.cause)
      lines.push('', 'Cause:', indent(block(event.source.cause.message, EMAIL_TEXT_CHARS)));
  }
  const quiet = quietNote(event, (iso) => formatTime(iso, timeZone));
  if (quiet) lines.push('', quiet);
  const held = silenceNote(
    event,
    (iso) => formatTime(iso, timeZone),
    (s) => line(s, EMAIL_NAME_CHARS),
  );
  if (held) lines.push('', held);
  if (session?.failureMessage)
    lines.push('', "Veeam's failure message:", indent(block(session.failureMessage, EMAIL_TEXT_CHARS)));
  const tail = [
    ...(hintStepLines(event, hintsOf(event, options)) ?? stepLines(nextSteps(event))),
    '',
    `Detected ${time(event.detectedAt)} by replica-alerts. Event id ${event.id}.`,
  ];
  lines.push(...vmLines(event, BODY_BUDGET_BYTES - utf8Bytes([...lines, ...tail].join('\n')) - 200));
  return [...lines, ...tail].join('\n');
}

/** The VMs that did not succeed, each with Veeam's reason verbatim (indented), as many as the budget allows. */
function vmLines(event: AlertEvent, budget: number): string[] {
  const vms = event.vms ?? [];
  if (!vms.length) return [];
  const head = [
    '',
    event.event === 'resolved' ? 'VMs that did not succeed in this run:' : 'VMs that did not succeed:',
  ];
  const { lines, shown } = within(
    vms.slice(0, EMAIL_MAX_VMS),
    (vm) => {
      const state = vm.state === 'Completed' ? '' : ` (${line(vm.state, 40)})`;
      const entry = [`  - ${line(vm.name, EMAIL_NAME_CHARS)}: ${line(vm.result, 40)}${state}`];
      if (vm.reason) entry.push(indent(block(vm.reason, EMAIL_TEXT_CHARS), '      '));
      return entry;
    },
    budget - utf8Bytes(head.join('\n')),
  );
  const more = vms.length - shown + (event.vmsOmitted ?? 0);
  const rest =
    more > 0
      ? [`  ...and ${plural(more, 'more VM')} not listed here (see the session in the Veeam console).`]
      : [];
  return [...head, ...lines, ...rest];
}
