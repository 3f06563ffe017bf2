import { Fn } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/**
 * How the stack comes by the SES identity of its sender: `existing`, one made outside the stack (verified by
 * hand, or by another stage's stack: an identity belongs to the account and region); `domain`, the stack makes
 * one for the sender's domain, with Easy DKIM; `address`, the stack makes one for the sender's address.
 */
export type SenderIdentityMode = 'existing' | 'domain' | 'address';

export const SENDER_IDENTITY_MODES: readonly SenderIdentityMode[] = ['existing', 'domain', 'address'];

export interface SenderIdentityProps {
  /** The sender address, `jobs@mail.example.org`. */
  readonly emailFrom: string;
  readonly mode: SenderIdentityMode;
}

/**
 * The SES identity that lets the e-mail jobs send as `emailFrom`, made by the stack or not. Not retained: its
 * name is the domain or the address itself, and a retained one would fail the next create of the stack.
 */
export class SenderIdentity extends Construct {
  /** The identity's name: the domain for `domain`, the address otherwise. */
  readonly identityName: string;
  /** The identity the stack made; undefined for `existing`. */
  readonly identity: ses.EmailIdentity | undefined;
  /** For `domain`: the three DKIM records the domain's DNS needs, each as `<name> CNAME <value>`. */
  readonly dkimRecords: readonly string[];

  constructor(scope: Construct, id: string, props: SenderIdentityProps) {
    super(scope, id);
    const domain = props.emailFrom.slice(props.emailFrom.lastIndexOf('@') + 1);
    this.identityName = props.mode === 'domain' ? domain : props.emailFrom;
    if (props.mode === 'existing') {
      this.identity = undefined;
      this.dkimRecords = [];
      return;
    }
    const identity = new ses.EmailIdentity(this, 'Identity', {
      identity: props.mode === 'domain' ? ses.Identity.domain(domain) : ses.Identity.email(props.emailFrom),
    });
    this.identity = identity;
    this.dkimRecords =
      props.mode === 'domain'
        ? identity.dkimRecords.map((record) => Fn.join('', [record.name, ' CNAME ', record.value]))
        : [];
  }
}
