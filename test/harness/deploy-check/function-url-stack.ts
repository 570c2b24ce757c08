import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { checkEnvironment } from './intrinsics';
import { CfnTemplate, logicalIdsOfType, templateOf } from './template';

/** The pieces of the deploy check's own test stack, by logical id. */
export interface FunctionUrlFixture {
  readonly template: CfnTemplate;
  readonly functionId: string;
  readonly roleId: string;
  readonly urlId: string;
  readonly distributionId: string;
  readonly bucketId: string;
  readonly secretId: string;
  readonly cachePolicyId: string;
  /** The CfnPermission granting lambda:InvokeFunctionUrl, and the one granting lambda:InvokeFunction. */
  readonly invokeUrlPermissionId: string;
  readonly invokeFunctionPermissionId: string;
}

/**
 * A small stack built from aws-cdk-lib L2s and L1s, independent of our constructs: a function with an AWS_IAM
 * Function URL behind CloudFront through an origin access control, both CloudFront permissions written as
 * CfnPermissions, a cache policy, a bucket with a resource policy, a secret the role reads, a queue feeding the
 * function. Tests break one detail of its template to prove each part of the check can fail.
 */
export function functionUrlFixture(): FunctionUrlFixture {
  const stack = new Stack(new App(), 'Fixture', { env: { account: checkEnvironment.account, region: checkEnvironment.region } });
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
    timeout: Duration.seconds(10),
  });
  const url = handler.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
  const cachePolicy = new cloudfront.CachePolicy(stack, 'Cache', { defaultTtl: Duration.minutes(1), maxTtl: Duration.minutes(1), enableAcceptEncodingGzip: true });
  const oac = new cloudfront.FunctionUrlOriginAccessControl(stack, 'Oac', { signing: cloudfront.Signing.SIGV4_ALWAYS });
  const distribution = new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: {
      origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', url.url)), { originAccessControlId: oac.originAccessControlId }),
      cachePolicy,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    },
  });
  const invokeUrl = new lambda.CfnPermission(stack, 'InvokeUrl', {
    action: 'lambda:InvokeFunctionUrl',
    functionName: handler.functionArn,
    principal: 'cloudfront.amazonaws.com',
    sourceArn: distribution.distributionArn,
  });
  const invokeFunction = new lambda.CfnPermission(stack, 'InvokeFunction', {
    action: 'lambda:InvokeFunction',
    functionName: handler.functionArn,
    principal: 'cloudfront.amazonaws.com',
    sourceArn: distribution.distributionArn,
    invokedViaFunctionUrl: true,
  });

  const bucket = new s3.Bucket(stack, 'Media', { enforceSSL: true });
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: { StringEquals: { 'AWS:SourceArn': distribution.distributionArn } },
  }));
  const secret = new secretsmanager.Secret(stack, 'Key');
  secret.grantRead(handler);
  const queue = new sqs.Queue(stack, 'Work', { visibilityTimeout: Duration.seconds(60), deliveryDelay: Duration.seconds(30) });
  new lambda.EventSourceMapping(stack, 'Feed', { target: handler, eventSourceArn: queue.queueArn });
  queue.grantConsumeMessages(handler);

  const template = templateOf(stack);
  const only = (type: string) => {
    const ids = logicalIdsOfType(template, type);
    if (ids.length !== 1) throw new Error(`the fixture has ${ids.length} ${type}`);
    return ids[0];
  };
  return {
    template,
    functionId: only('AWS::Lambda::Function'),
    roleId: only('AWS::IAM::Role'),
    urlId: only('AWS::Lambda::Url'),
    distributionId: only('AWS::CloudFront::Distribution'),
    bucketId: only('AWS::S3::Bucket'),
    secretId: only('AWS::SecretsManager::Secret'),
    cachePolicyId: only('AWS::CloudFront::CachePolicy'),
    invokeUrlPermissionId: stack.resolve(invokeUrl.logicalId) as string,
    invokeFunctionPermissionId: stack.resolve(invokeFunction.logicalId) as string,
  };
}
