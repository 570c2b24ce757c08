/**
 * Compares two synthesized CloudFormation templates after normalizing what differs between a construct and the same
 * resources written by hand: logical ids (the construct's carry its path and a hash) and asset hashes.
 */

/** A resource of a synthesized template. */
export interface CfnTemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [attribute: string]: unknown;
}

/** A synthesized template, as JSON. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnTemplateResource>;
  readonly [section: string]: unknown;
}

/** An asset's object key: the hash of its content. */
const assetKey = /^[0-9a-f]{64}(\.zip)?$/;

/** The readable logical id of a resource of the construct `constructId`: its path below the construct, without the hash. */
export function readableLogicalId(constructId: string, logicalId: string): string {
  return logicalId.replace(new RegExp(`^${constructId}`), '').replace(/[0-9A-F]{8}$/, '');
}

/**
 * `template` with the logical ids renamed by `rename` wherever they appear (keys, `Ref`, `Fn::GetAtt`, `DependsOn`, and
 * names CDK derives from them such as an inline policy's name), asset hashes replaced by a placeholder and `DependsOn`
 * sorted (CloudFormation treats it as a set).
 */
export function normalizeTemplate(template: CfnTemplate, rename: (logicalId: string) => string = (logicalId) => logicalId): CfnTemplate {
  const renamed = new Map(Object.keys(template.Resources).map((logicalId) => [logicalId, rename(logicalId)]));
  if (new Set(renamed.values()).size !== renamed.size) throw new Error(`two logical ids normalize to the same id: ${[...renamed.values()].join(', ')}`);
  const normalize = (value: unknown): unknown => {
    if (typeof value === 'string') return renamed.get(value) ?? (assetKey.test(value) ? value.replace(/^[0-9a-f]{64}/, '<asset hash>') : value);
    if (Array.isArray(value)) return value.map(normalize);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, normalize(entry)]));
    return value;
  };
  const resources = Object.fromEntries(Object.entries(template.Resources).map(([logicalId, resource]) => {
    const normalized = normalize(resource) as CfnTemplateResource;
    const dependsOn = resource.DependsOn === undefined ? {} : { DependsOn: [normalized.DependsOn ?? []].flat().sort() };
    return [renamed.get(logicalId)!, { ...normalized, ...dependsOn }];
  }));
  return { ...template, Resources: resources };
}

/** Every difference between `expected` and `actual`, as `path: expected ... actual ...`; empty when they are equal. */
export function templateDifferences(expected: unknown, actual: unknown, path = ''): string[] {
  const where = path || '(template)';
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const lengths = expected.length === actual.length ? [] : [`${where}: expected ${expected.length} items, got ${actual.length}`];
    const common = Math.min(expected.length, actual.length);
    return [...lengths, ...Array.from({ length: common }, (_, index) => templateDifferences(expected[index], actual[index], `${path}[${index}]`)).flat()];
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => {
      const keyPath = path ? `${path}.${key}` : key;
      if (!(key in actual)) return [`${keyPath}: missing (expected ${JSON.stringify(expected[key])})`];
      if (!(key in expected)) return [`${keyPath}: unexpected ${JSON.stringify(actual[key])}`];
      return templateDifferences(expected[key], actual[key], keyPath);
    });
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
