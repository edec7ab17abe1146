import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { defaultProvider } from '../../../functions/kit/lambda-credentials.js';
import { bundleFunction } from '../../../scripts/bundle.js';

describe('Lambda bundles take the credentials from the environment only', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads the role's credentials where Lambda puts them", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('says what is missing when the environment has no credentials', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID|credentials/i);
  });

  it("bundles neither the SDK's default chain nor the STS/SSO clients it brings", async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'bundle-credentials-'));
    try {
      const { metafile } = await bundleFunction('start-workflow', { outDir });
      const inputs = Object.keys(metafile.inputs);
      expect(inputs.some((f) => f.endsWith('functions/kit/lambda-credentials.ts'))).toBe(true);
      expect(inputs.filter((f) => /@aws-sdk\/(credential-provider-node|nested-clients|credential-provider-sso|credential-provider-ini)\//.test(f))).toEqual([]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
