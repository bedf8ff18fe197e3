// Optional VPC placement for EMs reachable only privately.

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { minimalSettings, onlyResource, synthTemplate } from './fixtures/stack.ts';

const network = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
};

describe('the network settings', () => {
  it('leave the poller outside a VPC when absent', () => {
    const template = synthTemplate(minimalSettings());
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  it('place the poller in the given subnets with a group that only reaches HTTPS and the EM port', () => {
    const template = synthTemplate({
      ...minimalSettings(),
      network: { ...network, emCidrs: ['10.20.0.15/32'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: network.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerSecurityGroup'), 'GroupId'] }],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: network.vpcId,
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: '10.20.0.15/32', IpProtocol: 'tcp', FromPort: 9398, ToPort: 9398 }),
      ],
    });
  });

  it("use the admin's own security group when given", () => {
    const template = synthTemplate({
      ...minimalSettings(),
      network: { ...network, securityGroupId: 'sg-0123456789abcdef0' },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(onlyResource(template, 'AWS::Lambda::Function').VpcConfig.SecurityGroupIds).toEqual([
      'sg-0123456789abcdef0',
    ]);
  });
});
