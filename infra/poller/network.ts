// VPC placement for EMs reachable only privately. Existing VPC and subnets are referenced by ID (no lookup, so
// `cdk synth` stays offline); the security group is the admin's own, or one that allows only what the poller needs.

import { Fn, Stack, Validations } from 'aws-cdk-lib';
import {
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { EmSettings, NetworkSettings } from '../settings/types.ts';

type Placement = Pick<FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'>;

interface PollerNetwork {
  placement: Placement;
  /** What the function's role needs so Lambda can manage its network interfaces there. */
  statements: PolicyStatement[];
}

export function pollerNetwork(scope: Construct, network: NetworkSettings, ems: EmSettings[]): PollerNetwork {
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
  return {
    placement: { vpc, vpcSubnets: { subnets }, securityGroups: [securityGroup] },
    statements: networkInterfaceStatements(scope, subnets, securityGroup),
  };
}

/**
 * The EC2 actions of AWSLambdaVPCAccessExecutionRole (without its logs:* on every log group), each as narrow as
 * EC2 allows: the Describe calls only work on "*"; new interfaces only in these subnets with this group; the rest
 * on this account's interfaces in this region, whose IDs Lambda only learns when it creates them.
 */
function networkInterfaceStatements(
  scope: Construct,
  subnets: ISubnet[],
  securityGroup: ISecurityGroup,
): PolicyStatement[] {
  const stack = Stack.of(scope);
  const ec2 = (resource: string, resourceName: string, account?: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName, account });
  const interfaces = ec2('network-interface', '*');
  // Any account: a subnet shared from another account (a shared VPC) has its owner's account in its ARN.
  const subnetArns = subnets.map(({ subnetId }) => {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:*:subnet/${subnetId}]`,
      reason: "One given subnet, in whichever account owns it (a shared VPC's subnets are its owner's).",
    });
    return ec2('subnet', subnetId, '*');
  });
  return [
    new PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
    new PolicyStatement({
      actions: ['ec2:CreateNetworkInterface'],
      resources: [interfaces, ...subnetArns, ec2('security-group', securityGroup.securityGroupId)],
    }),
    new PolicyStatement({
      actions: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: [interfaces],
    }),
  ];
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
