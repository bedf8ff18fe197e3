// Optional VPC placement, for EMs reachable only privately (on-premises behind a VPN or Direct Connect). IDs of
// existing resources only: the stack never creates or looks up a VPC, so `cdk synth` stays offline.

import { type Problems, readList, readObject, readString } from './read.ts';

export interface NetworkSettings {
  vpcId: string;
  /** Private subnets with a route to the EMs and to AWS APIs (NAT gateway or VPC endpoints). */
  subnetIds: string[];
  /** An existing security group; absent: the stack creates one with egress to the EMs and HTTPS only. */
  securityGroupId?: string | undefined;
  /** Where the EMs are, for the created security group's egress rule; default anywhere. */
  emCidrs: string[];
}

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export function readNetwork(value: unknown, problems: Problems): NetworkSettings | undefined {
  if (value === undefined) return undefined;
  const path = 'network';
  const network = readObject(
    value,
    path,
    ['vpcId', 'subnetIds', 'securityGroupId', 'emCidrs'],
    problems,
    '{"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"]}',
  );
  if (!network) return undefined;
  const vpcId = readString(
    network.vpcId,
    `${path}.vpcId`,
    VPC_ID,
    problems,
    'give a VPC ID, e.g. "vpc-0123456789abcdef0".',
  );
  const subnetIds = readList(network.subnetIds, `${path}.subnetIds`, problems, (id, at) =>
    readString(id, at, SUBNET_ID, problems, 'give a subnet ID, e.g. "subnet-0123456789abcdef0".'),
  );
  if (subnetIds.length === 0 && Array.isArray(network.subnetIds)) {
    problems.add(
      `${path}.subnetIds`,
      'give at least one private subnet ID (two in different AZs for resilience).',
    );
  }
  const securityGroupId =
    network.securityGroupId === undefined
      ? undefined
      : readString(
          network.securityGroupId,
          `${path}.securityGroupId`,
          SECURITY_GROUP_ID,
          problems,
          'give a security group ID, e.g. "sg-0123456789abcdef0", or leave it out.',
        );
  const emCidrs = readList(network.emCidrs, `${path}.emCidrs`, problems, (cidr, at) =>
    readString(cidr, at, IPV4_CIDR, problems, 'give an IPv4 CIDR, e.g. "10.20.0.15/32".'),
  );
  if (securityGroupId && emCidrs.length) {
    problems.add(
      `${path}.emCidrs`,
      'applies only to the security group the stack creates; open the EM port in your own group instead.',
    );
  }
  if (network.subnetIds === undefined)
    problems.add(`${path}.subnetIds`, 'give the private subnet IDs for the poller.');
  return vpcId && subnetIds.length ? { vpcId, subnetIds, securityGroupId, emCidrs } : undefined;
}
