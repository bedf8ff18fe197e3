// When the poller runs: one schedule polling every EM (`{}`), or, past a configured number of EMs, one schedule
// per EM (`{"em": "<name>"}`), so a large estate never has to fit in one Lambda timeout; and the morning digest
// (`{"digest": true}`), daily at a local time, for every EM at once (it reads only the state table).

import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface PollSchedulesProps {
  fn: IFunction;
  emNames: string[];
  everyMinutes: number;
  maxEmsPerInvocation: number;
  /** The digest's local time (HH:MM) and IANA zone; false: no digest. */
  digest: { at: string; timeZone: string } | false;
  deadLetters: IQueue;
}

/** A digest handed off later than this is dropped: the next morning's is the next chance. */
const DIGEST_MAX_AGE = Duration.hours(1);

/**
 * How many invocations may run at once: one per schedule, so a slow EM never delays the other schedules. It does
 * not keep two polls of one EM apart (a manual invoke may run beside a scheduled one): the runtime's lease per
 * EM in the state table does.
 */
export function pollConcurrency(emCount: number, maxEmsPerInvocation: number): number {
  return emCount > maxEmsPerInvocation ? emCount : 1;
}

export class PollSchedules extends Construct {
  readonly schedules: Schedule[];

  constructor(scope: Construct, id: string, props: PollSchedulesProps) {
    super(scope, id);
    const perEm = props.emNames.length > props.maxEmsPerInvocation;
    const inputs = perEm
      ? props.emNames.map((em) => ({ id: em, input: { em } }))
      : [{ id: 'AllEms', input: {} }];
    // A failed hand-off is retried only while it is still useful: never past the next scheduled poll.
    const invoke = (input: object, maxEventAge: Duration) =>
      new LambdaInvoke(props.fn, {
        input: ScheduleTargetInput.fromObject(input),
        retryAttempts: 2,
        maxEventAge,
        deadLetterQueue: props.deadLetters,
      });
    this.schedules = inputs.map(
      ({ id: scheduleId, input }) =>
        new Schedule(this, scheduleId, {
          description: perEm ? `Poll Enterprise Manager ${scheduleId}` : 'Poll every Enterprise Manager',
          schedule: ScheduleExpression.rate(Duration.minutes(props.everyMinutes)),
          target: invoke(input, Duration.minutes(props.everyMinutes)),
        }),
    );
    if (props.digest) {
      const [hour, minute] = props.digest.at.split(':').map(Number);
      this.schedules.push(
        new Schedule(this, 'Digest', {
          description: `Morning digest of every Enterprise Manager, daily at ${props.digest.at} ${props.digest.timeZone}`,
          schedule: ScheduleExpression.cron({
            minute: String(minute),
            hour: String(hour),
            timeZone: TimeZone.of(props.digest.timeZone),
          }),
          target: invoke({ digest: true }, DIGEST_MAX_AGE),
        }),
      );
    }
    // The target role CDK creates (one per stack and function, outside this construct) may invoke the function
    // and its versions/aliases (`<arn>:*`): still only this one function.
    const stack = Stack.of(this);
    const functionId = stack.getLogicalId(props.fn.node.defaultChild as CfnFunction);
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: 'EventBridge Scheduler may invoke the poller function and its versions; no other function.',
    });
  }
}
