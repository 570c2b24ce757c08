import { lintProblems, runCfnLint } from './cfn-lint';
import { IamDecisionRow, IamModel, unknownActions, wrongIamDecisions } from './iam-simulation';
import { serviceRuleViolations } from './service-rules';
import { TemplateSource, templateOf } from './template';
import { describeWithTools } from '../tools';

/** One synthesized stack to check, and the IAM decisions its running system depends on. */
export interface DeployCheckTarget {
  /** Names the stack in messages, e.g. `stitcher (maximal props)`. */
  readonly name: string;
  readonly stack: TemplateSource;
  /** Requests that must be allowed or refused. */
  readonly iam?: IamDecisionRow[];
}

/** The three parts of the deploy check. */
export type DeployCheckPart = 'cfn-lint' | 'iam' | 'service-rules';

/** What the check found, per part (each line names the stack). */
export interface DeployCheckReport {
  readonly problems: Record<DeployCheckPart, string[]>;
  /** How long the one cfn-lint run over all targets took (absent when cfn-lint did not run). */
  readonly lintSeconds?: number;
}

/**
 * Checks that stacks would deploy and work: cfn-lint over their templates (one run for all), the IAM decision
 * tables and action names by simulation, and the service rules no linter holds.
 */
export async function checkDeployable(targets: DeployCheckTarget | DeployCheckTarget[], parts: DeployCheckPart[] = ['cfn-lint', 'iam', 'service-rules']): Promise<DeployCheckReport> {
  const list = (Array.isArray(targets) ? targets : [targets]).map((target) => ({ ...target, template: templateOf(target.stack) }));
  const problems: Record<DeployCheckPart, string[]> = { 'cfn-lint': [], 'iam': [], 'service-rules': [] };
  const lint = parts.includes('cfn-lint') ? runCfnLint(list.map(({ name, template }) => ({ name, template }))) : undefined;
  for (const target of list) {
    const model = IamModel.of(target.template);
    if (parts.includes('iam')) {
      const lines = [...await unknownActions(model), ...await wrongIamDecisions(model, target.iam ?? [])];
      problems.iam.push(...lines.map((line) => `${target.name}: ${line}`));
    }
    if (parts.includes('service-rules')) problems['service-rules'].push(...(await serviceRuleViolations(model)).map((line) => `${target.name}: ${line}`));
  }
  const run = lint ? await lint : undefined;
  if (run) problems['cfn-lint'].push(...lintProblems(run.findings));
  return { problems, lintSeconds: run?.seconds };
}

/** Fails with every problem of the parts checked, grouped by part. */
export async function expectDeployable(targets: DeployCheckTarget | DeployCheckTarget[], parts?: DeployCheckPart[]): Promise<DeployCheckReport> {
  const report = await checkDeployable(targets, parts);
  const failing = (Object.entries(report.problems) as [DeployCheckPart, string[]][]).filter(([, lines]) => lines.length > 0);
  if (failing.length > 0) {
    throw new Error(`not deployable:\n${failing.map(([part, lines]) => `${part}:\n  ${lines.join('\n  ')}`).join('\n')}`);
  }
  return report;
}

/**
 * The deploy check as jest tests for one construct: one test per part over all `targets` (built once, when the
 * tests run). The cfn-lint part skips with a printed reason where cfn-lint is missing, and fails under CI.
 */
export function describeDeployCheck(name: string, targets: () => DeployCheckTarget[]): void {
  let built: DeployCheckTarget[] | undefined;
  const all = () => (built ??= targets().map((target) => ({ ...target, stack: templateOf(target.stack) })));
  describe(`${name} deploy check`, () => {
    test('every IAM decision holds and every action exists', async () => {
      await expectDeployable(all(), ['iam']);
    });
    test('no service rule is broken', async () => {
      await expectDeployable(all(), ['service-rules']);
    });
    describeWithTools(['cfn-lint'], `${name} deploy check with cfn-lint`, () => {
      test('cfn-lint finds no error and no unaccepted warning', async () => {
        await expectDeployable(all(), ['cfn-lint']);
      });
    });
  });
}
