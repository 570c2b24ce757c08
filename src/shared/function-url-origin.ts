import { Duration, Fn } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const originsOfFunctionUrls = new WeakMap<cloudfront.IOrigin, FunctionUrlOacOrigin>();

/** The {@link FunctionUrlOacOrigin} whose `origin` this is, if any. */
export function functionUrlOacOriginOf(origin: cloudfront.IOrigin): FunctionUrlOacOrigin | undefined {
  return originsOfFunctionUrls.get(origin);
}

/** Options of a {@link FunctionUrlOacOrigin}. */
export interface FunctionUrlOacOriginOptions {
  /**
   * How long CloudFront waits for the function's answer.
   * @default Duration.seconds(30)
   */
  readonly readTimeout?: Duration;
}

/**
 * A Lambda Function URL (AuthType AWS_IAM) behind CloudFront Origin Access Control that is correct on the first deploy.
 *
 * Since October 2025 Lambda authorizes a function URL call only when the caller holds both `lambda:InvokeFunctionUrl`
 * and `lambda:InvokeFunction` (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html); aws-cdk-lib before 2.273
 * grants CloudFront only the first (aws/aws-cdk#35872). This origin grants both itself, each scoped to the one
 * distribution that serves it, and uses the plain `FunctionUrlOrigin`, which adds no permission in any aws-cdk-lib
 * release: the statements are the same, and never doubled, on every supported aws-cdk-lib.
 *
 * The distribution is known only once the front is built: {@link CdnFront} calls `authorize` for every behavior
 * whose origin is one of these.
 */
export class FunctionUrlOacOrigin extends Construct {
  /** The origin to put in a cache behavior. */
  public readonly origin: cloudfront.IOrigin;
  private readonly functionUrl: lambda.IFunctionUrl;
  private readonly authorized = new Set<string>();

  constructor(scope: Construct, id: string, functionUrl: lambda.IFunctionUrl, options: FunctionUrlOacOriginOptions = {}) {
    super(scope, id);
    this.functionUrl = functionUrl;
    const originAccessControl = new cloudfront.FunctionUrlOriginAccessControl(this, 'OriginAccessControl', {
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    this.origin = new origins.FunctionUrlOrigin(functionUrl, {
      originAccessControlId: originAccessControl.originAccessControlId,
      readTimeout: options.readTimeout,
    });
    originsOfFunctionUrls.set(this.origin, this);
  }

  /** Lets `distribution` (and only it) call the function through its URL: both actions Lambda requires. */
  public authorize(distribution: cloudfront.IDistribution): void {
    const key = distribution.node.addr;
    if (this.authorized.has(key)) return;
    this.authorized.add(key);
    const principal = 'cloudfront.amazonaws.com';
    const sourceArn = Fn.sub('arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}', { Id: distribution.distributionId });
    const index = this.authorized.size === 1 ? '' : String(this.authorized.size);
    new lambda.CfnPermission(this, `InvokeUrl${index}`, {
      action: 'lambda:InvokeFunctionUrl',
      principal,
      functionName: this.functionUrl.functionArn,
      functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM,
      sourceArn,
    });
    new lambda.CfnPermission(this, `InvokeViaUrl${index}`, {
      action: 'lambda:InvokeFunction',
      principal,
      functionName: this.functionUrl.functionArn,
      invokedViaFunctionUrl: true,
      sourceArn,
    });
  }
}
