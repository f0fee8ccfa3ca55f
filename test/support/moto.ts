import { MotoServer } from '../../devkit/moto.js';

/**
 * One moto per test file (each file is its own process). MOTO_URL points the tests at a running
 * moto or LocalStack instead; LOCKSMITH_PYTHON picks the Python that has moto installed.
 */
export function startTestMoto(): Promise<MotoServer> {
  return MotoServer.start({ externalUrl: process.env.MOTO_URL, python: process.env.LOCKSMITH_PYTHON });
}
