import { functionUrlFixture } from './function-url-stack';
import { collectPolicies } from './iam-policies';
import { distributionArnOf, expectIamDecisions, IamDecisionRow, IamModel, simulate, unknownActions } from './iam-simulation';
import { distributionArn } from './intrinsics';
import { cloneTemplate } from './template';

const fixture = functionUrlFixture();
const model = IamModel.of(fixture.template);
const cloudfront = { service: 'cloudfront.amazonaws.com' } as const;
const thisDistribution = distributionArnOf(model, fixture.distributionId);
const otherDistribution = distributionArn('EOTHER');

function withoutResource(logicalId: string) {
  const template = cloneTemplate(fixture.template);
  delete (template.Resources as Record<string, unknown>)[logicalId];
  return template;
}

const dualPermissionRows: IamDecisionRow[] = [
  { name: 'CloudFront invokes the Function URL', request: { principal: cloudfront, action: 'lambda:InvokeFunctionUrl', resource: { logicalId: fixture.functionId }, context: { 'aws:SourceArn': thisDistribution } }, expect: 'allow' },
  {
    name: 'CloudFront invokes the function through its URL',
    request: { principal: cloudfront, action: 'lambda:InvokeFunction', resource: { logicalId: fixture.functionId }, context: { 'aws:SourceArn': thisDistribution, 'lambda:InvokedViaFunctionUrl': 'true' } },
    expect: 'allow',
  },
];

describe('IAM simulation of a synthesized template', () => {
  test('turns each AWS::Lambda::Permission into the statement Lambda stores', () => {
    const statements = collectPolicies(fixture.template).resource
      .filter((policy) => policy.resource === fixture.functionId)
      .map((policy) => policy.document.Statement[0]);
    expect(statements).toContainEqual({
      Sid: fixture.invokeFunctionPermissionId,
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: model.arnOf(fixture.functionId),
      Condition: { ArnLike: { 'AWS:SourceArn': thisDistribution }, Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    });
  });

  test('allows CloudFront both Function URL actions from its distribution and refuses another distribution', async () => {
    await expectIamDecisions(model, [
      ...dualPermissionRows,
      { name: 'another distribution', request: { principal: cloudfront, action: 'lambda:InvokeFunctionUrl', resource: { logicalId: fixture.functionId }, context: { 'aws:SourceArn': otherDistribution } }, expect: 'deny' },
      { name: 'a direct invoke', request: { principal: cloudfront, action: 'lambda:InvokeFunction', resource: { logicalId: fixture.functionId }, context: { 'aws:SourceArn': thisDistribution } }, expect: 'deny' },
    ]);
  });

  test("evaluates a role's identity policies and a bucket's resource policy", async () => {
    await expectIamDecisions(model, [
      { name: 'role reads its secret', request: { principal: { role: fixture.roleId }, action: 'secretsmanager:GetSecretValue', resource: { logicalId: fixture.secretId } }, expect: 'allow' },
      { name: 'role reads another secret', request: { principal: { role: fixture.roleId }, action: 'secretsmanager:GetSecretValue', resource: { arn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf' } }, expect: 'deny' },
      { name: 'CloudFront reads an object', request: { principal: cloudfront, action: 's3:GetObject', resource: { logicalId: fixture.bucketId, suffix: '/a.ts' }, context: { 'aws:SourceArn': thisDistribution } }, expect: 'allow' },
      { name: 'CloudFront reads over plain http', request: { principal: cloudfront, action: 's3:GetObject', resource: { logicalId: fixture.bucketId, suffix: '/a.ts' }, context: { 'aws:SourceArn': thisDistribution, 'aws:SecureTransport': 'false' } }, expect: 'deny' },
      {
        name: 'CloudFront reads an object named by literal ARN',
        request: { principal: cloudfront, action: 's3:GetObject', resource: { arn: `${model.arnOf(fixture.bucketId)}/b.ts` }, context: { 'aws:SourceArn': thisDistribution } },
        expect: 'allow',
      },
      { name: 'anonymous reads an object', request: { principal: 'anonymous', action: 's3:GetObject', resource: { logicalId: fixture.bucketId, suffix: '/a.ts' } }, expect: 'deny' },
    ]);
  });

  test('mutation: without the lambda:InvokeFunction permission the through-URL invoke is denied', async () => {
    const broken = IamModel.of(withoutResource(fixture.invokeFunctionPermissionId));
    const { decision, explanation } = await simulate(broken, dualPermissionRows[1].request);
    expect({ decision, explanation }).toEqual({ decision: 'deny', explanation: 'ImplicitlyDenied (no statement matched)' });
    await expect(expectIamDecisions(broken, dualPermissionRows)).rejects.toThrow(
      /1 of 2 row\(s\) wrong\n {2}CloudFront invokes the function through its URL: expected allow, got deny: ImplicitlyDenied/,
    );
  });

  test('names a context key that does not apply to the action instead of ignoring it', async () => {
    await expect(simulate(model, { principal: { role: fixture.roleId }, action: 'secretsmanager:GetSecretValue', resource: { logicalId: fixture.secretId }, context: { 's3:if-match': '"x"' } }))
      .rejects.toThrow('context keys s3:if-match do not apply');
  });

  test('every action the fixture names exists', async () => {
    expect(await unknownActions(model)).toEqual([]);
  });

  test('mutation: an unknown action fails, naming the resource that declares it', async () => {
    const template = cloneTemplate(fixture.template);
    const policyId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::Policy')!;
    const document = template.Resources[policyId].Properties!.PolicyDocument as { Statement: unknown[] };
    document.Statement.push({ Effect: 'Allow', Action: ['s3:GetObjekt', 'sqs:Receive*', 'nosuchservice:Get'], Resource: '*' });
    expect(await unknownActions(template)).toEqual([`${policyId}: unknown action 's3:GetObjekt'`, `${policyId}: unknown action 'nosuchservice:Get'`]);
  });
});
