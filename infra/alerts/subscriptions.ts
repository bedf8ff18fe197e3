// Subscriptions from the settings. E-mail and SMS go to their channel topics; webhooks, queues and functions get
// the machine-readable events topic. SMS is filtered to Failed alerts unless the entry says otherwise.

import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SubscriptionFilter, SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import {
  EmailSubscription,
  LambdaSubscription,
  SmsSubscription,
  SqsSubscription,
  UrlSubscription,
} from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FilterPolicy, Subscription, SubscriptionSettings } from '../settings/types.ts';
import type { AlertTopics } from './topics.ts';

/**
 * Texts only for Failed alerts (SMS costs money and wakes people), including their reminders and their
 * all-clear: `alertSeverity` stays Failed on the `resolved` event, whose own severity is Success.
 */
export const DEFAULT_SMS_FILTER: FilterPolicy = { alertSeverity: ['Failed'] };

type Filter = { filterPolicy?: Record<string, SubscriptionFilter> };

export class AlertSubscriptions extends Construct {
  constructor(scope: Construct, id: string, props: { topics: AlertTopics; settings: SubscriptionSettings }) {
    super(scope, id);
    const { channels, heartbeatSms } = props.topics;
    const { email, sms, webhooks, queues, functions } = props.settings;
    for (const entry of email)
      channels.email.addSubscription(new EmailSubscription(entry.endpoint, filter(entry)));
    for (const entry of sms) {
      channels.sms.addSubscription(new SmsSubscription(entry.endpoint, filter(entry, DEFAULT_SMS_FILTER)));
      heartbeatSms.addSubscription(new SmsSubscription(entry.endpoint));
    }
    for (const entry of webhooks) {
      channels.events.addSubscription(
        new UrlSubscription(entry.endpoint, { protocol: SubscriptionProtocol.HTTPS, ...filter(entry) }),
      );
    }
    queues.forEach((entry, i) => {
      const queue = Queue.fromQueueArn(this, `Queue${i}`, entry.endpoint);
      // Raw delivery: the queue receives the events JSON itself, with the SNS attributes as message attributes.
      channels.events.addSubscription(
        new SqsSubscription(queue, { rawMessageDelivery: true, ...filter(entry) }),
      );
    });
    functions.forEach((entry, i) => {
      // Same account and region as the stack (documented), so the stack can add SNS's invoke permission.
      const fn = LambdaFunction.fromFunctionAttributes(this, `Function${i}`, {
        functionArn: entry.endpoint,
        sameEnvironment: true,
      });
      channels.events.addSubscription(new LambdaSubscription(fn, filter(entry)));
    });
  }
}

/** The entry's filter policy, the default when it gives none, or none when it gives `null`. */
function filter(entry: Subscription, fallback?: FilterPolicy): Filter {
  const policy = entry.filterPolicy === undefined ? fallback : entry.filterPolicy;
  if (!policy) return {};
  return {
    filterPolicy: Object.fromEntries(
      Object.entries(policy).map(([name, conditions]) => [name, new SubscriptionFilter(conditions)]),
    ),
  };
}
