// When the poller runs: one schedule polling every EM (`{}`), or, past a configured number of EMs, one schedule
// per EM (`{"em": "<name>"}`), so a large estate never has to fit in one Lambda timeout.

import { Duration, Stack, Validations } from 'aws-cdk-lib';
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
  deadLetters: IQueue;
}

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
    this.schedules = inputs.map(
      ({ id: scheduleId, input }) =>
        new Schedule(this, scheduleId, {
          description: perEm ? `Poll Enterprise Manager ${scheduleId}` : 'Poll every Enterprise Manager',
          schedule: ScheduleExpression.rate(Duration.minutes(props.everyMinutes)),
          target: new LambdaInvoke(props.fn, {
            input: ScheduleTargetInput.fromObject(input),
            // A failed hand-off is retried only while it is still useful: never past the next scheduled poll.
            retryAttempts: 2,
            maxEventAge: Duration.minutes(props.everyMinutes),
            deadLetterQueue: props.deadLetters,
          }),
        }),
    );
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
