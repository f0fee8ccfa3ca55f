import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createAwsClientFactory } from '../../../src/aws/client-factory.js';

const CREDS = { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'secret' };

/** A fake STS that answers GetCallerIdentity and counts TCP connections. */
async function fakeSts() {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>' +
          '<UserId>X</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>',
      );
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('AWS client factory', () => {
  it('makes a session client only when it is first used', () => {
    const built: string[] = [];
    const factory = createAwsClientFactory({
      region: 'eu-west-1',
      instrument: (c) => built.push(c.constructor.name),
    });
    const clients = factory.forCredentials(CREDS);
    assert.deepEqual(built, []);
    assert.equal(clients.secretsManager, clients.secretsManager);
    assert.deepEqual(built, ['SecretsManagerClient']);
  });

  it("shares one connection pool between people's sessions, and one person's destroy() does not close it", async () => {
    const sts = await fakeSts();
    // The SDK's standard variable, as the bot is pointed at moto or any endpoint.
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = sts.url;
    try {
      const factory = createAwsClientFactory({ region: 'eu-west-1' });
      const alice = factory.forCredentials(CREDS).sts;
      const bob = factory.forCredentials({ ...CREDS, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' }).sts;
      const send = (client: typeof alice) => client.send(new GetCallerIdentityCommand({}), {});
      await send(alice);
      await send(bob);
      await send(alice);
      assert.equal(sts.connections(), 1, "the second person reuses the first one's connection");
      alice.destroy();
      await send(bob);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
      sts.close();
    }
  });
});
