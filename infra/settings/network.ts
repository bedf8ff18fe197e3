// Optional VPC placement, for EMs reachable only privately (on-premises behind a VPN or Direct Connect). IDs of
// existing resources only: the stack never creates or looks up a VPC, so `cdk synth` stays offline.

import type { Fields, Shape, StringRule } from './read.ts';
import type { NetworkSettings } from './types.ts';

const NETWORK: Shape = {
  known: ['vpcId', 'subnetIds', 'securityGroupId', 'emCidrs'],
  example: '{"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"]}',
};
const VPC_ID: StringRule = {
  pattern: /^vpc-[0-9a-f]{8,17}$/,
  fix: 'give a VPC ID, e.g. "vpc-0123456789abcdef0".',
};
const SUBNET_ID: StringRule = {
  pattern: /^subnet-[0-9a-f]{8,17}$/,
  fix: 'give a subnet ID, e.g. "subnet-0123456789abcdef0".',
};
const SECURITY_GROUP_ID: StringRule = {
  pattern: /^sg-[0-9a-f]{8,17}$/,
  fix: 'give a security group ID, e.g. "sg-0123456789abcdef0", or leave it out.',
};
const IPV4_CIDR: StringRule = {
  pattern: /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/,
  fix: 'give an IPv4 CIDR, e.g. "10.20.0.15/32".',
};

export function readNetwork(settings: Fields): NetworkSettings | undefined {
  const network = settings.object('network', NETWORK);
  if (!network) return undefined;
  const vpcId = network.string('vpcId', VPC_ID);
  const subnets = network.get('subnetIds');
  const subnetIds = subnets.list((id) => id.string(SUBNET_ID));
  if (subnetIds.length === 0 && Array.isArray(subnets.value)) {
    subnets.problem('give at least one private subnet ID (two in different AZs for resilience).');
  }
  const securityGroupId = network.optionalString('securityGroupId', SECURITY_GROUP_ID);
  const cidrs = network.get('emCidrs');
  const emCidrs = cidrs.list((cidr) => cidr.string(IPV4_CIDR));
  if (securityGroupId && emCidrs.length) {
    cidrs.problem(
      'applies only to the security group the stack creates; open the EM port in your own group instead.',
    );
  }
  if (subnets.value === undefined) subnets.problem('give the private subnet IDs for the poller.');
  return vpcId && subnetIds.length ? { vpcId, subnetIds, securityGroupId, emCidrs } : undefined;
}
