// Tags: project=replica-alerts and the settings' tags, on the stack and on every resource that takes tags.

import { CfnResource, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaAlertsStack } from '../../infra/stack.ts';
import { buildStack, fixtureSettings, typedSettings } from './fixtures/stack.ts';

type Tags = { Key: string; Value: string }[] | Record<string, string>;

/** Tags as CloudFormation lists them (most types) or maps them (a few), as one record. */
function asRecord(tags: Tags | undefined): Record<string, string> {
  if (!Array.isArray(tags)) return tags ?? {};
  return Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value]));
}

describe('the tags', () => {
  let stack: ReplicaAlertsStack;
  let template: Template;
  beforeAll(() => {
    const settings = typedSettings(fixtureSettings());
    // The settings' own project tag may not replace ours.
    settings.tags = { team: 'backup-ops', project: 'someone-else' };
    ({ stack } = buildStack(settings));
    template = Template.fromStack(stack);
  });

  it('are on every resource that takes tags', () => {
    const resources = template.toJSON().Resources;
    const taggable = stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .filter((resource) => TagManager.of(resource));
    expect(taggable.length).toBeGreaterThan(25);
    for (const resource of taggable) {
      const tags = asRecord(resources[stack.getLogicalId(resource)].Properties.Tags);
      expect(tags, resource.node.path).toMatchObject({ project: 'replica-alerts', team: 'backup-ops' });
    }
  });

  it('are on the stack, which CloudFormation tags its resources with too', () => {
    expect(stack.tags.tagValues()).toEqual({ project: 'replica-alerts', team: 'backup-ops' });
  });
});
