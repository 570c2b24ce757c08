import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cloudFrontFunctionMaxBytes, renderCloudFrontFunction } from '../../src/shared/cloudfront-function-code';

describe('renderCloudFrontFunction', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cff-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('fills the one CONFIG line with the configuration, as JSON, and leaves the rest alone', () => {
    const file = write('ok.js', '// header\nconst CONFIG = {}; // Test:config\nfunction handler(event) { return CONFIG.header; }\n');
    expect(renderCloudFrontFunction(file, 'Test', { header: 'x-a"b', limit: 3 }))
      .toBe('// header\nconst CONFIG = {"header":"x-a\\"b","limit":3}; // Test:config\nfunction handler(event) { return CONFIG.header; }\n');
  });

  test('a $ in a value is written as it is (no replacement patterns)', () => {
    const file = write('dollar.js', 'const CONFIG = {}; // Test:config\n');
    expect(renderCloudFrontFunction(file, 'Test', { value: "$& $' $1" })).toBe('const CONFIG = {"value":"$& $\' $1"}; // Test:config\n');
  });

  test('refuses a file that lost its CONFIG line, naming the marker', () => {
    const file = write('lost.js', 'const CONFIG = {}; // Other:config\n');
    expect(() => renderCloudFrontFunction(file, 'Test', {})).toThrow("lost.js lost its 'const CONFIG = ...; // Test:config' line");
  });

  test('refuses code over CloudFront\'s 10 KB limit', () => {
    const file = write('big.js', 'const CONFIG = {}; // Test:config\n');
    expect(() => renderCloudFrontFunction(file, 'Test', { padding: 'x'.repeat(cloudFrontFunctionMaxBytes) }))
      .toThrow(/^big\.js is 10\d{3} bytes with its configuration, over CloudFront's 10240-byte limit$/);
  });
});
