import { Duration, Fn, Names, Validations } from 'aws-cdk-lib';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as mediapackage from 'aws-cdk-lib/aws-mediapackage';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { EncodedRenditions, mediaPackageOutputGroup } from './encoder-settings';
import { liveFront, liveOriginProps } from './live-front';
import type { DeliveryOptions, Packager, PackagerDelivery, PackagerOptions } from './packager';
import { HlsAdMarkers, MediaPackageV1Endpoint, MediaPackageV1PackagingProps } from './packaging';
import { v1AdTriggers, validateWindows } from './packaging-rules';

/** CDN authorization of MediaPackage v1 (MediaPackage User Guide, "CDN authorization"): the header and the secret's key. */
const cdnAuthorization = {
  header: 'X-MediaPackage-CDNIdentifier',
  secretKey: 'MediaPackageCDNIdentifier',
  /** The value's length: MediaPackage accepts 8 to 128 characters. */
  valueLength: 36,
};

/**
 * What MediaPackage v1 may do with the secret (MediaPackage User Guide, "Secrets Manager access for CDN authorization":
 * GetSecretValue, DescribeSecret, ListSecrets, ListSecretVersionIds). ListSecrets takes no resource, so a policy scoped
 * to the secret, as the guide's is, never grants it: it is left out.
 */
const secretReadActions = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'];

/** Manifest query parameters of MediaPackage v1: filters, start-over, and `m`, the version it puts on child playlist links. */
const manifestQueryStrings = ['aws.manifestfilter', 'start', 'end', 'm'];

/** The manifest name of every endpoint, the file each format serves under it, and the manifests' path patterns. */
const manifests = { name: 'index', hls: 'index.m3u8', dash: 'index.mpd', mss: 'index.ism/Manifest', patterns: ['*.m3u8', '*.mpd', '*.ism/Manifest'] };

/** The construct id of an endpoint (`HlsEndpoint`), and the suffix of its MediaPackage id (`hls`). */
const endpointNames = (kind: MediaPackageV1Endpoint) => ({ id: `${kind[0]}${kind.slice(1).toLowerCase()}Endpoint`, suffix: kind.toLowerCase() });

/** The endpoints without `endpoints` props (a function: the enum is not defined yet when this module loads). */
const defaultEndpoints = () => [MediaPackageV1Endpoint.HLS, MediaPackageV1Endpoint.DASH, MediaPackageV1Endpoint.CMAF];
const destinationId = 'mediapackage';

/**
 * MediaPackage v1 packaging of one pipeline: a v1 channel (MediaLive connects both pipelines to its two HLS ingest
 * endpoints), the chosen origin endpoints with CDN authorization, the secret and the role MediaPackage reads it with,
 * and a distribution that sends the secret's value as the `X-MediaPackage-CDNIdentifier` origin header.
 * @internal
 */
export class MediaPackageV1Packager implements Packager {
  /** The MediaPackage v1 channel. */
  public readonly channel: mediapackage.CfnChannel;
  /** The origin endpoints, by kind. */
  public readonly endpoints: Map<MediaPackageV1Endpoint, mediapackage.CfnOriginEndpoint>;
  /** The CDN identifier CloudFront sends and MediaPackage checks. */
  public readonly cdnIdentifier: secretsmanager.Secret;
  /** The role MediaPackage reads the CDN identifier with. */
  public readonly secretsRole: iam.Role;
  public readonly destinations: medialive.CfnChannel.OutputDestinationProperty[];
  public readonly channelDependencies: IDependable[];
  public readonly originDomain: string;

  constructor(scope: Construct, options: PackagerOptions, props: MediaPackageV1PackagingProps) {
    const kinds = validateEndpoints(props.endpoints ?? defaultEndpoints());
    const startover = props.startoverWindow?.toSeconds();
    const window = (props.manifestWindow ?? Duration.seconds(60)).toSeconds();
    const adMarkers = props.adMarkers ?? (options.scte35Passthrough ? HlsAdMarkers.DATERANGE : HlsAdMarkers.NONE);
    validateWindows(startover, window, adMarkers, options.scte35Passthrough);
    const segment = options.segmentLengthSeconds;
    const markAds = adMarkers !== HlsAdMarkers.NONE;

    const channelId = Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' });
    this.channel = new mediapackage.CfnChannel(scope, 'PackagerChannel', {
      id: channelId,
      description: 'LiveOttPipeline: HLS ingest from the MediaLive channel',
    });
    // MediaLive looks the channel up by id to find its ingest endpoints and their credentials
    options.encoderRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindThePackagerChannel',
      actions: ['mediapackage:DescribeChannel'],
      resources: [this.channel.attrArn],
    }));

    this.cdnIdentifier = new secretsmanager.Secret(scope, 'CdnIdentifier', {
      description: `LiveOttPipeline: the ${cdnAuthorization.header} value CloudFront sends to MediaPackage v1`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: cdnAuthorization.secretKey,
        passwordLength: cdnAuthorization.valueLength,
        excludePunctuation: true,
      },
    });
    Validations.of(this.cdnIdentifier).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'the CDN identifier lives in two places, the secret and the distribution\'s origin header, which a rotation function cannot change together; rotate by redeploying (MediaPackage User Guide, rotating the CDN header value)',
    });
    this.secretsRole = new iam.Role(scope, 'CdnIdentifierReaderRole', {
      assumedBy: new iam.ServicePrincipal('mediapackage.amazonaws.com'),
      description: 'LiveOttPipeline: MediaPackage v1 reads its CDN identifier secret, nothing else',
      maxSessionDuration: Duration.hours(1),
    });
    this.secretsRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTheCdnIdentifier',
      actions: secretReadActions,
      resources: [this.cdnIdentifier.secretArn],
    }));

    const authorization = { cdnIdentifierSecret: this.cdnIdentifier.secretArn, secretsRoleArn: this.secretsRole.roleArn };
    const adTriggers = markAds ? v1AdTriggers : undefined;
    const packages: Record<MediaPackageV1Endpoint, Partial<mediapackage.CfnOriginEndpointProps>> = {
      [MediaPackageV1Endpoint.HLS]: {
        hlsPackage: {
          segmentDurationSeconds: segment,
          playlistWindowSeconds: window,
          programDateTimeIntervalSeconds: segment,
          adMarkers: markAds ? adMarkers : 'NONE',
          adTriggers,
          useAudioRenditionGroup: true, // the encoder sends audio as its own rendition
          includeIframeOnlyStream: false,
        },
      },
      [MediaPackageV1Endpoint.DASH]: {
        dashPackage: {
          segmentDurationSeconds: segment,
          manifestWindowSeconds: window,
          minUpdatePeriodSeconds: segment,
          minBufferTimeSeconds: 2 * segment,
          suggestedPresentationDelaySeconds: 3 * segment,
          segmentTemplateFormat: 'NUMBER_WITH_TIMELINE',
          profile: 'NONE',
          periodTriggers: markAds ? ['ADS'] : [],
          adTriggers,
        },
      },
      [MediaPackageV1Endpoint.CMAF]: {
        cmafPackage: {
          segmentDurationSeconds: segment,
          hlsManifests: [{
            id: `${channelId}-cmaf-hls`,
            manifestName: manifests.name,
            playlistWindowSeconds: window,
            programDateTimeIntervalSeconds: segment,
            adMarkers: markAds ? adMarkers : 'NONE',
            adTriggers,
            includeIframeOnlyStream: false,
          }],
        },
      },
      [MediaPackageV1Endpoint.MSS]: {
        mssPackage: { segmentDurationSeconds: segment, manifestWindowSeconds: window },
      },
    };
    this.endpoints = new Map(kinds.map((kind) => {
      const endpoint = new mediapackage.CfnOriginEndpoint(scope, endpointNames(kind).id, {
        channelId,
        id: `${channelId}-${endpointNames(kind).suffix}`,
        manifestName: manifests.name,
        startoverWindowSeconds: startover,
        origination: 'ALLOW',
        authorization,
        description: `LiveOttPipeline: ${kind}`,
        ...packages[kind],
      });
      // the channel id is a plain string: order the creation explicitly; MediaPackage checks the role and secret on create
      endpoint.node.addDependency(this.channel, this.secretsRole);
      return [kind, endpoint];
    }));

    this.destinations = [{ id: destinationId, mediaPackageSettings: [{ channelId }] }];
    this.channelDependencies = [this.channel];
    // every v1 endpoint of an account and Region is served from the same host: `https://<host>/out/v1/<endpoint hash>/...`
    this.originDomain = Fn.select(2, Fn.split('/', this.endpoints.get(MediaPackageV1Endpoint.HLS)!.attrUrl));
  }

  public outputGroups(renditions: EncodedRenditions): medialive.CfnChannel.OutputGroupProperty[] {
    return [mediaPackageOutputGroup(renditions, { destination: { destinationRefId: destinationId } })];
  }

  /** MediaPackage's endpoint host with the CDN identifier header; HLS, and DASH and MSS where those endpoints exist. */
  public deliver(scope: Construct, options: DeliveryOptions): PackagerDelivery {
    if (options.existingDistribution) {
      throw new Error('existingDistribution does not work with Packaging.mediaPackageV1(): its paths (/out/v1/<endpoint hash>/...) are known '
        + 'only after deployment, so its behaviors could not be told from another pipeline\'s; use Packaging.mediaPackageV2()');
    }
    const origin = new origins.HttpOrigin(this.originDomain, {
      ...liveOriginProps(options.segmentLengthSeconds),
      // a dynamic reference: CloudFormation resolves it when it writes the distribution, the template holds none of the value
      customHeaders: { [cdnAuthorization.header]: this.cdnIdentifier.secretValueFromJson(cdnAuthorization.secretKey).unsafeUnwrap() },
    });
    const front = liveFront(scope, options, {
      origin,
      comment: `LiveOttPipeline: live ${[...this.endpoints.keys()].join(', ')} from MediaPackage v1`,
      manifestPatterns: manifests.patterns,
      manifestQueryStrings,
      pathPrefix: '',
    });
    const path = (kind: MediaPackageV1Endpoint, file: string) => {
      const endpoint = this.endpoints.get(kind);
      return endpoint ? front.url(`/out/v1/${Fn.select(5, Fn.split('/', endpoint.attrUrl))}/${file}`) : undefined;
    };
    return {
      distribution: front.distribution,
      playbackUrls: {
        hls: path(MediaPackageV1Endpoint.HLS, manifests.hls)!,
        dash: path(MediaPackageV1Endpoint.DASH, manifests.dash),
        mss: path(MediaPackageV1Endpoint.MSS, manifests.mss),
      },
    };
  }
}

function validateEndpoints(endpoints: MediaPackageV1Endpoint[]): MediaPackageV1Endpoint[] {
  const unique = [...new Set(endpoints)];
  if (!unique.includes(MediaPackageV1Endpoint.HLS) || unique.length !== endpoints.length) {
    throw new Error(`packaging: endpoints must list MediaPackageV1Endpoint.HLS (every pipeline serves HLS) and no endpoint twice, got [${endpoints.join(', ')}]`);
  }
  return unique;
}
