import { setEnvironment } from './environment';

describe('setEnvironment', () => {
  test('sets the variables and restores the previous values, removing those that were unset', () => {
    process.env.ENVIRONMENT_TEST_KEPT = 'before';
    delete process.env.ENVIRONMENT_TEST_NEW;

    const restore = setEnvironment({ ENVIRONMENT_TEST_KEPT: 'during', ENVIRONMENT_TEST_NEW: 'during' });
    expect([process.env.ENVIRONMENT_TEST_KEPT, process.env.ENVIRONMENT_TEST_NEW]).toEqual(['during', 'during']);

    restore();
    expect(process.env.ENVIRONMENT_TEST_KEPT).toBe('before');
    expect('ENVIRONMENT_TEST_NEW' in process.env).toBe(false);
    delete process.env.ENVIRONMENT_TEST_KEPT;
  });

  test('undefined unsets a variable for the duration and restore puts it back', () => {
    const restoreOuter = setEnvironment({ ENVIRONMENT_TEST_PROFILE: 'developer' });
    const restore = setEnvironment({ ENVIRONMENT_TEST_PROFILE: undefined });
    expect('ENVIRONMENT_TEST_PROFILE' in process.env).toBe(false);
    restore();
    expect(process.env.ENVIRONMENT_TEST_PROFILE).toBe('developer');
    restoreOuter();
    expect('ENVIRONMENT_TEST_PROFILE' in process.env).toBe(false);
  });
});
