import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

/** One resource of a synthesized CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A synthesized CloudFormation template, as JSON. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

/** What the deploy check accepts: a stack (synthesized here) or its template JSON. */
export type TemplateSource = Stack | CfnTemplate;

/**
 * The template JSON of `source`, synthesizing a stack once (aws-cdk-lib's own CloudFormation Validate plugin is off
 * in every test process, see test/jest.setup.ts: cfn-lint checks the same schemas and more).
 */
export function templateOf(source: TemplateSource): CfnTemplate {
  return source instanceof Stack ? Template.fromStack(source).toJSON() as CfnTemplate : source;
}

/** Logical ids of the resources of `type`, in template order. */
export function logicalIdsOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type).map(([logicalId]) => logicalId);
}

/** The properties of resource `logicalId` (empty when it has none). */
export function propertiesOf(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`the template has no resource '${logicalId}'`);
  return resource.Properties ?? {};
}

/** A deep copy of `template`, for tests that break one detail of a synthesized template. */
export function cloneTemplate(template: CfnTemplate): CfnTemplate {
  return JSON.parse(JSON.stringify(template)) as CfnTemplate;
}

/** The logical id of the CloudFormation resource behind an L2 construct (its default child), for IAM tables and messages. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource of its own`);
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
