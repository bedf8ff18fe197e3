// One Secrets Manager secret per EM: the one the settings name by ARN, or one created here with no value (a
// template must never carry a password) for the admin to fill with put-secret-value. The poller may read exactly
// these secrets and nothing else.

import { Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EmSettings } from '../settings/types.ts';

/** What the admin stores; functions/secrets/secrets.ts parses exactly this (caCert optional). */
export const SECRET_SHAPE =
  '{"username": "DOMAIN\\\\user", "password": "...", "caCert": "-----BEGIN CERTIFICATE-----..."}';

/** A complete secret ARN ends in the 6-character suffix Secrets Manager adds to the name. */
const COMPLETE_ARN = /-[A-Za-z0-9]{6}$/;

export interface EmSecret {
  em: string;
  secretArn: string;
  /** Created by this stack (and still empty until the admin fills it). */
  created: boolean;
}

export class EmSecrets extends Construct {
  readonly secrets: EmSecret[];

  constructor(scope: Construct, id: string, props: { ems: EmSettings[]; stackName: string }) {
    super(scope, id);
    this.secrets = props.ems.map((em) => {
      if (em.secretArn) return { em: em.name, secretArn: em.secretArn, created: false };
      // L1 on purpose: the L2 Secret always generates a random value; CloudFormation creates an empty secret
      // when neither SecretString nor GenerateSecretString is given.
      const secret = new CfnSecret(this, em.name, {
        name: `${props.stackName}/em/${em.name}`,
        description: `Credentials for Veeam Enterprise Manager "${em.name}" (${em.url}): JSON ${SECRET_SHAPE}; caCert is optional.`,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret holds the password of a Veeam account on premises; no rotation Lambda can change it there. ' +
          'The admin rotates it in Veeam and writes the new value with put-secret-value.',
      });
      return { em: em.name, secretArn: secret.ref, created: true };
    });
  }

  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: this.secrets.map(({ secretArn, created }) =>
          // A partial ARN (the name without its suffix) matches the real secret only with the suffix pattern.
          created || COMPLETE_ARN.test(secretArn) ? secretArn : `${secretArn}-??????`,
        ),
      }),
    );
  }

  arnOf(em: string): string {
    const found = this.secrets.find((secret) => secret.em === em);
    if (!found) throw new Error(`No secret for EM "${em}".`);
    return found.secretArn;
  }
}
