import { Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { DistributionSettings } from './distribution-settings';
import { functionUrlOacOriginOf } from './function-url-origin';

/** What a construct asks of its CloudFront front. */
export interface CdnFrontProps extends DistributionSettings {
  /** Comment of the new distribution: `<Construct>: <what it serves>`. */
  readonly comment: string;
  /** Prefix of the access log files in `accessLogBucket`, e.g. `pre-roll-stitcher/`. */
  readonly logFilePrefix: string;
  /** The behavior of the construct's root path (or of `pathPrefix` on an existing distribution). */
  readonly defaultBehavior: cloudfront.BehaviorOptions;
  /** Further behaviors by path pattern, relative to the root (or to `pathPrefix`). @default - none */
  readonly additionalBehaviors?: Record<string, cloudfront.BehaviorOptions>;
  /** Serve the construct from this distribution under `pathPrefix` instead of creating one. @default - a new distribution */
  readonly existingDistribution?: cloudfront.Distribution;
  /** Path under which the construct answers on `existingDistribution`, e.g. `/stitch`. @default '' */
  readonly pathPrefix?: string;
  /** Error caching of the new distribution. @default - CloudFront's default (10 s) */
  readonly errorResponses?: cloudfront.ErrorResponse[];
  /** Object served for `/` by the new distribution. @default - none */
  readonly defaultRootObject?: string;
}

/** The names of the {@link DistributionSettings} props, for messages. */
const distributionSettingNames: Array<keyof DistributionSettings> = ['domainNames', 'certificate', 'webAclId', 'accessLogBucket', 'priceClass', 'geoRestriction'];

/**
 * The CloudFront distribution in front of a construct: a new one (HTTPS redirect, HTTP/2 and HTTP/3, TLS 1.2 with
 * a custom certificate, optional logging, WAF, price class, geo restriction) or behaviors under a path prefix on an
 * existing one. Every Function URL origin of its behaviors is authorized for exactly this distribution, and the
 * cdk-nag findings a setting closes are acknowledged only while that setting is absent.
 */
export class CdnFront {
  /** The distribution serving the construct. */
  public readonly distribution: cloudfront.IDistribution;
  /** `https://<first domain name or the distribution's domain><pathPrefix>`. */
  public readonly urlBase: string;

  /** Builds the front in `scope`: a new distribution gets the id `Distribution` there. */
  constructor(scope: Construct, props: CdnFrontProps) {
    validateFront(props);
    const pathPrefix = props.pathPrefix ?? '';
    const behaviors = { '': props.defaultBehavior, ...props.additionalBehaviors };
    for (const [pattern, behavior] of Object.entries(behaviors)) validateBehavior(pattern, behavior);

    if (props.existingDistribution) {
      for (const [pattern, behavior] of Object.entries(behaviors)) {
        props.existingDistribution.addBehavior(`${pathPrefix}/${pattern || '*'}`, behavior.origin, behavior);
      }
      this.distribution = props.existingDistribution;
    } else {
      const distribution = new cloudfront.Distribution(scope, 'Distribution', {
        comment: props.comment,
        defaultBehavior: props.defaultBehavior,
        additionalBehaviors: props.additionalBehaviors,
        domainNames: props.domainNames,
        certificate: props.certificate,
        minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined, // the default certificate's policy is fixed
        httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
        priceClass: props.priceClass,
        geoRestriction: props.geoRestriction,
        enableLogging: props.accessLogBucket !== undefined,
        logBucket: props.accessLogBucket,
        logFilePrefix: props.accessLogBucket ? props.logFilePrefix : undefined,
        webAclId: props.webAclId,
        errorResponses: props.errorResponses,
        defaultRootObject: props.defaultRootObject,
      });
      acknowledgeAbsentSettings(distribution, props);
      this.distribution = distribution;
    }
    for (const behavior of Object.values(behaviors)) functionUrlOacOriginOf(behavior.origin)?.authorize(this.distribution);
    this.urlBase = `https://${props.domainNames?.[0] ?? this.distribution.distributionDomainName}${pathPrefix}`;
  }
}

/**
 * A path prefix as CloudFront path patterns take it: '' for the root, else `/segment(/segment)*` without a
 * trailing slash. Throws for anything else, naming `propName`.
 */
export function normalizePathPrefix(propName: string, prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(prefix)) {
    throw new Error(`${propName} must be a path like '/stitch', got '${prefix}'`);
  }
  return prefix.replace(/\/$/, '');
}

function validateFront(props: CdnFrontProps): void {
  if (props.existingDistribution) {
    if (!props.pathPrefix) throw new Error('pathPrefix is required with existingDistribution (e.g. \'/stitch\'), got undefined');
    const conflicting = distributionSettingNames.filter((name) => props[name] !== undefined);
    if (conflicting.length > 0) {
      throw new Error(`${conflicting.join(', ')} configure a new distribution: set them on existingDistribution instead`);
    }
  }
  if ((props.domainNames?.length ?? 0) > 0 !== (props.certificate !== undefined)) {
    throw new Error(`domainNames and certificate go together, got domainNames=${JSON.stringify(props.domainNames)} and ${props.certificate ? 'a' : 'no'} certificate`);
  }
}

/** A Function URL behind OAC cannot take a body from an unmodified client: the body must be signed (x-amz-content-sha256). */
function validateBehavior(pattern: string, behavior: cloudfront.BehaviorOptions): void {
  const methods = behavior.allowedMethods?.methods ?? ['GET', 'HEAD'];
  if (functionUrlOacOriginOf(behavior.origin) && methods.some((method) => method === 'POST' || method === 'PUT')) {
    throw new Error(`behavior '${pattern || 'default'}' sends ${methods.join('/')} to a Function URL behind Origin Access Control: `
      + 'CloudFront signs no request body, so POST and PUT need a client-computed x-amz-content-sha256; allow GET/HEAD(/OPTIONS) only');
  }
}

function acknowledgeAbsentSettings(distribution: cloudfront.Distribution, props: CdnFrontProps): void {
  const acknowledge = (id: string, reason: string) => Validations.of(distribution).acknowledge({ id, reason });
  if (!props.geoRestriction) {
    acknowledge('AwsSolutions-CFR1', 'geo restriction is a rights decision of the content owner, not of the construct; set geoRestriction (or a web ACL) where rights require it');
  }
  if (!props.webAclId) {
    acknowledge('AwsSolutions-CFR2', 'every origin behind the front serves media or validates its own input (signatures, allow-lists, an origin secret); set webAclId to attach AWS WAF');
  }
  if (!props.accessLogBucket) {
    acknowledge('AwsSolutions-CFR3', 'access logging is opt-in (accessLogBucket): streaming makes a request per segment per viewer, and the handlers log their own outcomes');
  }
  if (!props.certificate) {
    acknowledge('AwsSolutions-CFR4', 'the default cloudfront.net certificate allows TLSv1; set domainNames and certificate to enforce TLS 1.2');
  }
}
