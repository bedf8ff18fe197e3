// VPC placement for EMs reachable only privately. Existing VPC and subnets are referenced by ID (no lookup, so
// `cdk synth` stays offline); the security group is the admin's own, or one that allows only what the poller needs.

import { Fn, Validations } from 'aws-cdk-lib';
import { type IVpc, Peer, Port, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { EmSettings, NetworkSettings } from '../settings/index.ts';

type Placement = Pick<FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'>;

export function pollerPlacement(scope: Construct, network: NetworkSettings, ems: EmSettings[]): Placement {
  const subnets = network.subnetIds.map((id) => {
    const subnet = Subnet.fromSubnetId(scope, id, id);
    Validations.of(subnet).acknowledge({
      id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      reason: 'Only the subnet ID goes into the function; nothing reads route tables.',
    });
    return subnet;
  });
  // The subnets are selected explicitly, so the VPC needs no subnets of its own (and its zones are never read).
  const vpc = Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: network.vpcId, availabilityZones: Fn.getAzs() });
  Validations.of(vpc).acknowledge({
    id: '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
    reason: 'The VPC only provides its ID (for the security group); subnets are selected explicitly.',
  });
  const securityGroup = network.securityGroupId
    ? SecurityGroup.fromSecurityGroupId(scope, 'SecurityGroup', network.securityGroupId)
    : pollerSecurityGroup(scope, vpc, network, ems);
  return { vpc, vpcSubnets: { subnets }, securityGroups: [securityGroup] };
}

function pollerSecurityGroup(scope: Construct, vpc: IVpc, network: NetworkSettings, ems: EmSettings[]) {
  const group = new SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'replica-alerts poller: HTTPS to AWS APIs and the EM REST port to the EMs; no inbound',
    allowAllOutbound: false,
  });
  group.addEgressRule(
    Peer.anyIpv4(),
    Port.tcp(443),
    'AWS APIs (SNS, DynamoDB, Secrets Manager) via NAT or endpoints',
  );
  const peers = network.emCidrs.length ? network.emCidrs.map((cidr) => Peer.ipv4(cidr)) : [Peer.anyIpv4()];
  const ports = new Set(ems.map((em) => Number(new URL(em.url).port || 443)));
  for (const port of ports) {
    if (port === 443 && !network.emCidrs.length) continue; // already open above
    for (const peer of peers)
      group.addEgressRule(peer, Port.tcp(port), `Enterprise Manager REST API (TCP ${port})`);
  }
  return group;
}
