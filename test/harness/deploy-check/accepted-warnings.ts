/** A cfn-lint warning the deploy check accepts, and why. */
export interface AcceptedWarning {
  /** cfn-lint rule id, e.g. `W3005`. */
  readonly rule: string;
  /** Matched against the finding's location, `Resources/<LogicalId>/Properties/...`. */
  readonly match: RegExp;
  /** Why the warning does not apply to our stacks: a reviewer must be able to check it. */
  readonly reason: string;
}

/** The one list of cfn-lint warnings our synthesized stacks may raise. Every other warning fails the deploy check. */
export const acceptedWarnings: AcceptedWarning[] = [
  {
    rule: 'W3005',
    match: /^Resources\/[^/]+\/DependsOn\//,
    reason: 'aws-cdk-lib makes a function with a generated role depend on that role and its default policy; the Fn::GetAtt already orders the role, the redundant DependsOn changes nothing at deploy',
  },
];
