/**
 * The one rule of every test that needs a service (Redis, a server database)
 * or a browser: under CI such a test fails instead of skipping, so a CI run
 * can never pass by silently skipping it. CI counts as set when `CI` holds
 * anything but '', '0' or 'false' (any case), as most CI systems set it.
 */
export function underCI(): boolean {
  const value = process.env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Throws under CI (see {@link underCI}); otherwise returns, and the caller skips with `reason`. */
export function failUnderCI(reason: string): void {
  if (underCI()) throw new Error(`CI is set (CI=${process.env.CI}) and this test cannot run: ${reason}`);
}
