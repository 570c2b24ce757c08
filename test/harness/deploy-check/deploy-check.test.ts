import { checkDeployable, DeployCheckPart, expectDeployable } from './deploy-check';
import { functionUrlFixture } from './function-url-stack';
import { distributionArnOf, IamDecisionRow, IamModel } from './iam-simulation';
import { cloneTemplate } from './template';
import { describeWithTools } from '../tools';

const fixture = functionUrlFixture();
const thisDistribution = distributionArnOf(IamModel.of(fixture.template), fixture.distributionId);
const invokeThroughUrl: IamDecisionRow = {
  name: 'CloudFront invokes the function through its URL',
  request: {
    principal: { service: 'cloudfront.amazonaws.com' },
    action: 'lambda:InvokeFunction',
    resource: { logicalId: fixture.functionId },
    context: { 'aws:SourceArn': thisDistribution, 'lambda:InvokedViaFunctionUrl': 'true' },
  },
  expect: 'allow',
};
const withoutInvokeFunction = cloneTemplate(fixture.template);
delete (withoutInvokeFunction.Resources as Record<string, unknown>)[fixture.invokeFunctionPermissionId];
const simulatedParts: DeployCheckPart[] = ['iam', 'service-rules'];

describe('checkDeployable', () => {
  test('passes the sound fixture with its IAM table', async () => {
    const report = await checkDeployable({ name: 'fixture', stack: fixture.template, iam: [invokeThroughUrl] }, simulatedParts);
    expect(report.problems).toEqual({ 'cfn-lint': [], 'iam': [], 'service-rules': [] });
  });

  test('mutation: removing lambda:InvokeFunction fails the service rule and flips the IAM row, naming resource and rule', async () => {
    await expect(expectDeployable({ name: 'fixture', stack: withoutInvokeFunction, iam: [invokeThroughUrl] }, simulatedParts)).rejects.toThrow(new RegExp([
      'not deployable:',
      'iam:',
      '  fixture: CloudFront invokes the function through its URL: expected allow, got deny: ImplicitlyDenied \\(no statement matched\\)',
      'service-rules:',
      `  fixture: lambda-url-dual-permission: ${fixture.urlId}: the function's resource policy refuses CloudFront from ${fixture.distributionId} lambda:InvokeFunction via the Function URL`,
    ].join('\n')));
  });
});

describeWithTools(['cfn-lint'], 'checkDeployable with cfn-lint', () => {
  const broken = cloneTemplate(fixture.template);
  Object.assign(broken.Resources[fixture.functionId].Properties!, { MemorySize: 'lots', Bogus: true });

  test('mutation: one cfn-lint run over every target fails only the broken one, naming rule and property', async () => {
    const report = await checkDeployable([{ name: 'sound', stack: fixture.template }, { name: 'broken', stack: broken }], ['cfn-lint']);
    expect(report.problems['cfn-lint'].sort()).toEqual([
      `broken: E3002 error at Resources/${fixture.functionId}/Properties/Bogus: Additional properties are not allowed ('Bogus' was unexpected)`,
      `broken: E3012 error at Resources/${fixture.functionId}/Properties/MemorySize: 'lots' is not of type 'integer'`,
    ]);
    expect(report.lintSeconds).toBeGreaterThan(0);
  });
});
