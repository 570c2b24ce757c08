import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Settings of the CloudFront distribution a construct creates. */
export interface DistributionSettings {
  /**
   * Custom domain names of the distribution; needs `certificate`.
   * @default - the distribution's cloudfront.net domain
   */
  readonly domainNames?: string[];

  /**
   * Certificate (in us-east-1) for `domainNames`. With it the distribution requires TLS 1.2.
   * @default - the cloudfront.net certificate
   */
  readonly certificate?: acm.ICertificate;

  /**
   * ARN of a WAF web ACL (us-east-1, CLOUDFRONT scope).
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * Bucket for CloudFront standard access logs.
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * Edge locations that serve viewers.
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Countries that may (or may not) be served.
   * @default - no restriction
   */
  readonly geoRestriction?: cloudfront.GeoRestriction;
}
