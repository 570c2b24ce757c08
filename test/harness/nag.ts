import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** An AwsSolutions finding that nothing acknowledged. */
export interface NagFinding {
  readonly rule: string;
  readonly constructPath: string;
  readonly description: string;
}

/** An acknowledgement recorded with `Validations.of(construct).acknowledge({ id, reason })`. */
export interface NagAcknowledgement {
  readonly rule: string;
  readonly constructPath: string;
  readonly reason: string;
}

/** A reason shorter than this says nothing a reviewer can check. */
export const minimumReasonLength = 20;

/** Unacknowledged cdk-nag AwsSolutions findings in `stack` (cdk-nag 3 `validateScope`). */
export function nagFindings(stack: Stack): NagFinding[] {
  const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) => ({
    rule: violation.ruleName,
    constructPath: resource.constructPath ?? resource.resourceLogicalId ?? 'unknown construct',
    description: violation.description.split('\n')[0],
  })));
}

/** Every acknowledgement recorded under `scope`, with its reason. */
export function nagAcknowledgements(scope: IConstruct): NagAcknowledgement[] {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([rule, reason]) => ({
      rule,
      constructPath: construct.node.path,
      reason: String(reason ?? ''),
    }))));
}

/**
 * Fails with a readable list when `stack` has an unacknowledged AwsSolutions finding, or an
 * acknowledgement whose reason is missing or too short to explain the decision.
 */
export function expectNagClean(stack: Stack): void {
  const findings = nagFindings(stack).map((f) => `${f.rule} on ${f.constructPath}: ${f.description}`);
  const unexplained = nagAcknowledgements(stack)
    .filter((ack) => ack.reason.trim().length < minimumReasonLength)
    .map((ack) => `${ack.rule} on ${ack.constructPath} is acknowledged without a reason (got '${ack.reason}')`);
  const problems = [...findings, ...unexplained];
  if (problems.length > 0) {
    throw new Error(`cdk-nag AwsSolutions: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  }
}
