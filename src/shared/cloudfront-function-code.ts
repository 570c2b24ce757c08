import * as fs from 'fs';
import * as path from 'path';

/** Where the shipped CloudFront Function files live: `cloudfront-functions/<construct>/<name>.js` in the package. */
export const cloudFrontFunctionsDir = path.join(__dirname, '..', '..', 'cloudfront-functions');

/** Largest function code CloudFront accepts (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html). */
export const cloudFrontFunctionMaxBytes = 10 * 1024;

/**
 * The code of a shipped CloudFront Function file with its configuration filled in.
 *
 * The file declares exactly one line `const CONFIG = <placeholder>; // <marker>:config`; everything the function
 * needs to know (thresholds, header names, metadata values) comes through it from the construct's contract, so the
 * file hard-codes no name. Throws when the line is missing or the result exceeds CloudFront's size limit.
 */
export function renderCloudFrontFunction(file: string, marker: string, config: Record<string, unknown>): string {
  const source = fs.readFileSync(file, 'utf8');
  const configLine = new RegExp(`^const CONFIG = .*; // ${marker}:config$`, 'm');
  if (!configLine.test(source)) throw new Error(`${path.basename(file)} lost its 'const CONFIG = ...; // ${marker}:config' line`);
  const code = source.replace(configLine, () => `const CONFIG = ${JSON.stringify(config)}; // ${marker}:config`);
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > cloudFrontFunctionMaxBytes) {
    throw new Error(`${path.basename(file)} is ${bytes} bytes with its configuration, over CloudFront's ${cloudFrontFunctionMaxBytes}-byte limit`);
  }
  return code;
}
