import { execFile } from 'child_process';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import * as path from 'path';
import { AcceptedWarning, acceptedWarnings } from './accepted-warnings';
import { CfnTemplate } from './template';

/** Regions cfn-lint validates against: the CloudFront/ACM region and the region our tests synthesize for. */
export const lintRegions = ['us-east-1', 'eu-west-1'];

/** The longest one cfn-lint run over a test file's templates may take (a first run builds its caches). */
const lintTimeoutMs = 120_000;

/** One finding of cfn-lint, tied to the template it came from. */
export interface LintFinding {
  readonly template: string;
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  /** `Resources/<LogicalId>/Properties/...` */
  readonly location: string;
  readonly message: string;
}

/** The findings of one run, and how long it took. */
export interface LintRun {
  readonly findings: LintFinding[];
  readonly seconds: number;
}

/** A named template to lint. */
export interface NamedTemplate {
  readonly name: string;
  readonly template: CfnTemplate;
}

/** Runs `cfn-lint --format json` once over all `templates` (one process: its start-up is most of the cost). */
export async function runCfnLint(templates: NamedTemplate[]): Promise<LintRun> {
  const names = templates.map((entry) => entry.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`two templates are named '${duplicate}'`);
  const directory = await mkdtemp(path.join(tmpdir(), 'deploy-check-'));
  try {
    const files = await Promise.all(templates.map(async ({ name, template }) => {
      const file = path.join(directory, `${name.replace(/[^\w.-]/g, '_')}.json`);
      await writeFile(file, JSON.stringify(template));
      return { file, name };
    }));
    const started = process.hrtime.bigint();
    const output = await cfnLint(['--format', 'json', '--regions', ...lintRegions, '--', ...files.map(({ file }) => file)]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const nameOf = new Map(files.map(({ file, name }) => [path.basename(file), name]));
    return { findings: parseFindings(output, nameOf), seconds };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The problems in `findings`: every error, and every warning no entry of `accepted` matches. */
export function lintProblems(findings: LintFinding[], accepted: AcceptedWarning[] = acceptedWarnings): string[] {
  return findings
    .filter((finding) => finding.level === 'Error'
      || (finding.level === 'Warning' && !accepted.some((entry) => entry.rule === finding.rule && entry.match.test(finding.location))))
    .map((finding) => `${finding.template}: ${finding.rule} ${finding.level.toLowerCase()} at ${finding.location}: ${finding.message}`);
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Location: { readonly Path?: (string | number)[] };
  readonly Rule: { readonly Id: string };
}

function parseFindings(output: string, nameOf: Map<string, string>): LintFinding[] {
  let matches: CfnLintMatch[];
  try {
    matches = JSON.parse(output) as CfnLintMatch[];
  } catch {
    throw new Error(`cfn-lint printed no JSON report: ${output.slice(0, 500)}`);
  }
  return matches.map((match) => ({
    template: nameOf.get(path.basename(match.Filename)) ?? match.Filename,
    rule: match.Rule.Id,
    level: match.Level as LintFinding['level'],
    location: (match.Location.Path ?? []).join('/'),
    message: match.Message,
  }));
}

/** cfn-lint's exit status is a sum of finding levels (2 error, 4 warning, 8 informational); an odd status is a failure to run. */
function cfnLint(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('cfn-lint', args, { timeout: lintTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
      if (status >= 0 && status % 2 === 0) {
        resolve(stdout);
        return;
      }
      reject(new Error(`cfn-lint failed (exit ${status}): ${(stderr || error?.message || '').slice(0, 500)}`));
    });
  });
}
