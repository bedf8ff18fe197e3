// Optional VPC placement, for EMs reachable only privately (on-premises behind a VPN or Direct Connect). IDs of
// existing resources only: the stack never creates or looks up a VPC, so `cdk synth` stays offline.

import * as z from 'zod';
import { settingsObject, text } from '../../functions/problems.ts';

/** 0-255, as written without leading zeros (`010` reads as octal to some tools). */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** An IPv4 CIDR that exists: four octets of 0-255 and a prefix length of 0-32. A pattern, so the JSON Schema has it. */
const IPV4_CIDR = new RegExp(`^(${OCTET}\\.){3}${OCTET}\\/(3[0-2]|[12]?\\d)$`);

const SUBNET_LIST = 'give a list (JSON array) of private subnet IDs, e.g. ["subnet-0123456789abcdef0"].';

const subnetIds = z
  .array(text(/^subnet-[0-9a-f]{8,17}$/, 'give a subnet ID, e.g. "subnet-0123456789abcdef0".'), {
    error: (issue) =>
      issue.input === undefined ? 'give the private subnet IDs for the poller.' : SUBNET_LIST,
  })
  .min(1, 'give at least one private subnet ID (two in different AZs for resilience).')
  .meta({
    description:
      'Private subnets with a route to the EMs and to AWS APIs (NAT gateway or VPC endpoints); two in different AZs for resilience.',
  });

export const network = settingsObject(
  {
    vpcId: text(/^vpc-[0-9a-f]{8,17}$/, 'give a VPC ID, e.g. "vpc-0123456789abcdef0".').meta({
      description: 'The existing VPC the poller runs in.',
    }),
    subnetIds,
    securityGroupId: text(
      /^sg-[0-9a-f]{8,17}$/,
      'give a security group ID, e.g. "sg-0123456789abcdef0", or leave it out.',
    )
      .optional()
      .meta({
        description:
          'An existing security group; absent: the stack creates one with egress to the EMs and HTTPS only.',
      }),
    emCidrs: z
      .array(
        text(
          IPV4_CIDR,
          'give an IPv4 CIDR: four numbers of 0-255 (no leading zeros) and a prefix length of 0-32, e.g. ' +
            '"10.20.0.15/32".',
        ),
        {
          error: 'give a list (JSON array) of IPv4 CIDRs, e.g. ["10.20.0.15/32"].',
        },
      )
      .default(() => [])
      .meta({
        description: "Where the EMs are, for the created security group's egress rule; default anywhere.",
      }),
  },
  'give an object, e.g. {"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"]}.',
)
  .superRefine((given, ctx) => {
    if (given.securityGroupId && given.emCidrs.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['emCidrs'],
        message:
          'applies only to the security group the stack creates; open the EM port in your own group instead.',
      });
    }
  })
  .meta({ description: 'VPC placement of the poller, for EMs reachable only privately; absent: no VPC.' });

export type NetworkSettings = z.output<typeof network>;
