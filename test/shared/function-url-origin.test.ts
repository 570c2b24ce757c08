import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CdnFront } from '../../src/shared/cdn-front';
import { FunctionUrlOacOrigin, functionUrlOacOriginOf } from '../../src/shared/function-url-origin';

function functionWithUrl(stack: Stack): lambda.FunctionUrl {
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  return fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
}

const sourceArnOf = (distributionLogicalId: string) => ({
  'Fn::Sub': ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}', { Id: { Ref: distributionLogicalId } }],
});

describe('FunctionUrlOacOrigin', () => {
  test('a new distribution gets both Lambda actions, each scoped to it, and nothing else', () => {
    const stack = new Stack(new App(), 'S');
    const origin = new FunctionUrlOacOrigin(stack, 'Origin', functionWithUrl(stack));
    new CdnFront(stack, { comment: 'test', logFilePrefix: 'test/', defaultBehavior: { origin: origin.origin } });
    const template = Template.fromStack(stack);
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    const functionArn = { 'Fn::GetAtt': [expect.stringMatching(/^FnFunctionUrl/), 'FunctionArn'] };
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((resource) => resource.Properties);
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunctionUrl',
        Principal: 'cloudfront.amazonaws.com',
        FunctionUrlAuthType: 'AWS_IAM',
        FunctionName: functionArn,
        SourceArn: sourceArnOf(distributionId),
      },
      {
        Action: 'lambda:InvokeFunction',
        Principal: 'cloudfront.amazonaws.com',
        InvokedViaFunctionUrl: true,
        FunctionName: functionArn,
        SourceArn: sourceArnOf(distributionId),
      },
    ]);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
  });

  test('an existing distribution gets the same two grants, scoped to that distribution', () => {
    const stack = new Stack(new App(), 'S');
    const existing = new cloudfront.Distribution(stack, 'Existing', {
      defaultBehavior: { origin: new origins.HttpOrigin('example.com') },
    });
    const origin = new FunctionUrlOacOrigin(stack, 'Origin', functionWithUrl(stack));
    new CdnFront(stack, { comment: 'test', logFilePrefix: 'test/', existingDistribution: existing, pathPrefix: '/p', defaultBehavior: { origin: origin.origin } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    for (const action of ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction']) {
      template.hasResourceProperties('AWS::Lambda::Permission', { Action: action, SourceArn: sourceArnOf(stack.getLogicalId(existing.node.defaultChild as cloudfront.CfnDistribution)) });
    }
  });

  test('authorizing the same distribution twice adds nothing', () => {
    const stack = new Stack(new App(), 'S');
    const origin = new FunctionUrlOacOrigin(stack, 'Origin', functionWithUrl(stack));
    const front = new CdnFront(stack, { comment: 'test', logFilePrefix: 'test/', defaultBehavior: { origin: origin.origin } });
    origin.authorize(front.distribution);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 2);
  });

  test('is found from its origin, and only from it', () => {
    const stack = new Stack(new App(), 'S');
    const origin = new FunctionUrlOacOrigin(stack, 'Origin', functionWithUrl(stack));
    expect(functionUrlOacOriginOf(origin.origin)).toBe(origin);
    expect(functionUrlOacOriginOf(new origins.HttpOrigin('example.com'))).toBeUndefined();
  });
});
