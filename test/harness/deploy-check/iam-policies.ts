import { checkEnvironment, Resolved, TemplateResolver } from './intrinsics';
import { CfnTemplate, logicalIdsOfType, propertiesOf } from './template';

/** An IAM policy document (resolved: no intrinsics left). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

/** One statement of a {@link PolicyDocument}. */
export interface PolicyStatement {
  readonly [key: string]: Resolved;
}

/** A policy the template attaches, and the resource that declares it (for messages). */
export interface TemplatePolicy {
  /** Logical id of the resource that declares the policy (a role, a policy, a permission...). */
  readonly declaredBy: string;
  readonly document: PolicyDocument;
}

/** A resource policy and the template resource it protects. */
export interface ResourcePolicy extends TemplatePolicy {
  /** Logical id of the protected resource (bucket, queue, secret, function). */
  readonly resource: string;
}

/** Every IAM policy a template declares, resolved in the deploy check's fixed environment. */
export interface TemplatePolicies {
  /** Identity policies per role logical id. */
  readonly identity: Map<string, TemplatePolicy[]>;
  /** Managed policy ARNs attached to a role that the template does not define (their content is unknown here). */
  readonly externalManagedPolicies: Map<string, string[]>;
  /** Resource policies, each naming the resource it protects. */
  readonly resource: ResourcePolicy[];
  /** Trust policies (AssumeRolePolicyDocument) per role logical id. */
  readonly trust: Map<string, TemplatePolicy>;
}

/**
 * AWS managed policies whose statements the check knows, by ARN (as published in the AWS Managed Policy Reference,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/). A role with any other managed policy from
 * outside the template cannot be simulated.
 */
const awsManagedPolicies: Record<string, PolicyDocument> = {
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
  [`arn:${checkEnvironment.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`]: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * How each policy-bearing resource type turns into resource policies: which resources it protects and the
 * statements it adds to their policy. Add a row when a construct writes a new kind of resource policy.
 */
const resourcePolicyTypes: Record<string, (resolver: TemplateResolver, logicalId: string) => ResourcePolicy[]> = {
  'AWS::S3::BucketPolicy': (resolver, logicalId) => [{
    declaredBy: logicalId,
    resource: templateResourceNamed(resolver, 'AWS::S3::Bucket', resolver.resolveProperty(logicalId, 'Bucket'), `${logicalId}/Bucket`),
    document: documentOf(resolver.resolveProperty(logicalId, 'PolicyDocument'), `${logicalId}/PolicyDocument`),
  }],
  'AWS::SQS::QueuePolicy': (resolver, logicalId) => {
    const document = documentOf(resolver.resolveProperty(logicalId, 'PolicyDocument'), `${logicalId}/PolicyDocument`);
    return listOf(resolver.resolveProperty(logicalId, 'Queues'), `${logicalId}/Queues`).map((queueUrl, index) => ({
      declaredBy: logicalId,
      resource: templateResourceNamed(resolver, 'AWS::SQS::Queue', queueUrl, `${logicalId}/Queues/${index}`),
      document,
    }));
  },
  'AWS::SecretsManager::ResourcePolicy': (resolver, logicalId) => [{
    declaredBy: logicalId,
    resource: templateResourceNamed(resolver, 'AWS::SecretsManager::Secret', resolver.resolveProperty(logicalId, 'SecretId'), `${logicalId}/SecretId`),
    document: documentOf(resolver.resolveProperty(logicalId, 'ResourcePolicy'), `${logicalId}/ResourcePolicy`),
  }],
  'AWS::Lambda::Permission': (resolver, logicalId) => {
    const functionId = templateFunctionOf(resolver, resolver.resolveProperty(logicalId, 'FunctionName'), `${logicalId}/FunctionName`);
    return [{ declaredBy: logicalId, resource: functionId, document: { Version: '2012-10-17', Statement: [lambdaPermissionStatement(resolver, logicalId, functionId)] } }];
  },
};

/**
 * The statement Lambda stores in the function's resource-based policy for an AWS::Lambda::Permission, as
 * AddPermission documents it and `aws lambda get-policy` shows it:
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html (SourceArn -> ArnLike
 * AWS:SourceArn, SourceAccount -> StringEquals AWS:SourceAccount, account principals as account root ARNs),
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html (FunctionUrlAuthType -> StringEquals
 * lambda:FunctionUrlAuthType; InvokedViaFunctionUrl -> Bool lambda:InvokedViaFunctionUrl "true"),
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html (PrincipalOrgID, EventSourceToken).
 */
function lambdaPermissionStatement(resolver: TemplateResolver, logicalId: string, functionId: string): PolicyStatement {
  const properties = resolver.resolve(propertiesOf(resolver.template, logicalId), `Resources/${logicalId}/Properties`) as Record<string, Resolved>;
  const known = new Set(['Action', 'FunctionName', 'Principal', 'SourceArn', 'SourceAccount', 'FunctionUrlAuthType', 'InvokedViaFunctionUrl', 'PrincipalOrgID', 'EventSourceToken']);
  const unknown = Object.keys(properties).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`Resources/${logicalId}: the deploy check does not model Lambda::Permission ${unknown.join(', ')}`);

  const condition: Record<string, Record<string, Resolved>> = {};
  const add = (operator: string, key: string, value: Resolved) => { condition[operator] = { ...condition[operator], [key]: value }; };
  if (properties.SourceArn !== undefined) add('ArnLike', 'AWS:SourceArn', properties.SourceArn);
  if (properties.SourceAccount !== undefined) add('StringEquals', 'AWS:SourceAccount', properties.SourceAccount);
  if (properties.FunctionUrlAuthType !== undefined) add('StringEquals', 'lambda:FunctionUrlAuthType', properties.FunctionUrlAuthType);
  if (properties.PrincipalOrgID !== undefined) add('StringEquals', 'aws:PrincipalOrgID', properties.PrincipalOrgID);
  if (properties.EventSourceToken !== undefined) add('StringEquals', 'lambda:EventSourceToken', properties.EventSourceToken);
  if (properties.InvokedViaFunctionUrl !== undefined) add('Bool', 'lambda:InvokedViaFunctionUrl', String(properties.InvokedViaFunctionUrl));

  return {
    Sid: logicalId,
    Effect: 'Allow',
    Principal: lambdaPrincipal(String(properties.Principal)),
    Action: properties.Action,
    Resource: resolver.getAtt(functionId, 'Arn', `Resources/${logicalId}`),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function lambdaPrincipal(principal: string): Resolved {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:${checkEnvironment.partition}:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

/** Every identity, trust and resource policy in `template`. */
export function collectPolicies(template: CfnTemplate, resolver = new TemplateResolver(template)): TemplatePolicies {
  const identity = new Map<string, TemplatePolicy[]>();
  const externalManagedPolicies = new Map<string, string[]>();
  const trust = new Map<string, TemplatePolicy>();
  const attach = (role: string, policy: TemplatePolicy) => identity.set(role, [...(identity.get(role) ?? []), policy]);

  const managedPolicyByArn = new Map(logicalIdsOfType(template, 'AWS::IAM::ManagedPolicy').map((id) => [resolver.ref(id, `Resources/${id}`), id]));
  for (const role of logicalIdsOfType(template, 'AWS::IAM::Role')) {
    const properties = propertiesOf(template, role);
    trust.set(role, { declaredBy: role, document: documentOf(resolver.resolveProperty(role, 'AssumeRolePolicyDocument'), `${role}/AssumeRolePolicyDocument`) });
    for (const [index, inline] of listOf(properties.Policies === undefined ? [] : resolver.resolveProperty(role, 'Policies'), `${role}/Policies`).entries()) {
      attach(role, { declaredBy: role, document: documentOf((inline as Record<string, Resolved>).PolicyDocument, `${role}/Policies/${index}/PolicyDocument`) });
    }
    const managedArns = properties.ManagedPolicyArns === undefined ? [] : listOf(resolver.resolveProperty(role, 'ManagedPolicyArns'), `${role}/ManagedPolicyArns`).map(String);
    for (const arn of managedArns.filter((candidate) => awsManagedPolicies[candidate] !== undefined)) {
      attach(role, { declaredBy: arn, document: awsManagedPolicies[arn] });
    }
    const external = managedArns.filter((arn) => !managedPolicyByArn.has(arn) && awsManagedPolicies[arn] === undefined);
    if (external.length > 0) externalManagedPolicies.set(role, external);
    for (const arn of managedArns.filter((candidate) => managedPolicyByArn.has(candidate))) {
      const managed = managedPolicyByArn.get(arn)!;
      attach(role, { declaredBy: managed, document: documentOf(resolver.resolveProperty(managed, 'PolicyDocument'), `${managed}/PolicyDocument`) });
    }
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const policy of logicalIdsOfType(template, type)) {
      const properties = propertiesOf(template, policy);
      if (properties.Roles === undefined) continue;
      const document = documentOf(resolver.resolveProperty(policy, 'PolicyDocument'), `${policy}/PolicyDocument`);
      for (const [index, roleName] of listOf(resolver.resolveProperty(policy, 'Roles'), `${policy}/Roles`).entries()) {
        attach(templateResourceNamed(resolver, 'AWS::IAM::Role', roleName, `${policy}/Roles/${index}`), { declaredBy: policy, document });
      }
    }
  }

  const resource = Object.entries(template.Resources)
    .filter(([, candidate]) => resourcePolicyTypes[candidate.Type] !== undefined)
    .flatMap(([logicalId, candidate]) => resourcePolicyTypes[candidate.Type](resolver, logicalId));
  return { identity, externalManagedPolicies, resource, trust };
}

/** Every policy document of `policies` with the resource that declares it. */
export function allPolicies(policies: TemplatePolicies): TemplatePolicy[] {
  return [...[...policies.identity.values()].flat(), ...policies.resource, ...policies.trust.values()];
}

/** The logical id of the template resource of `type` whose Ref is `value`. */
function templateResourceNamed(resolver: TemplateResolver, type: string, value: Resolved, path: string): string {
  const match = logicalIdsOfType(resolver.template, type).find((id) => resolver.ref(id, path) === value);
  if (!match) throw new Error(`${path}: ${JSON.stringify(value)} is no ${type} of this template; the deploy check simulates only the template's own resources`);
  return match;
}

/** The logical id of the template function named by a Permission's FunctionName (name, ARN or partial ARN). */
function templateFunctionOf(resolver: TemplateResolver, value: Resolved, path: string): string {
  const match = logicalIdsOfType(resolver.template, 'AWS::Lambda::Function').find((id) => {
    const name = resolver.physicalName(id);
    return value === name || value === resolver.getAtt(id, 'Arn', path) || value === `${checkEnvironment.account}:${name}`;
  });
  if (!match) throw new Error(`${path}: ${JSON.stringify(value)} is no AWS::Lambda::Function of this template`);
  return match;
}

function documentOf(value: Resolved | undefined, path: string): PolicyDocument {
  const statements = (value as { Statement?: unknown } | undefined)?.Statement;
  if (statements === undefined) throw new Error(`${path}: not a policy document: ${JSON.stringify(value)}`);
  return { ...(value as object), Statement: (Array.isArray(statements) ? statements : [statements]) as PolicyStatement[] };
}

function listOf(value: Resolved, path: string): Resolved[] {
  if (!Array.isArray(value)) throw new Error(`${path}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}
