import nock from 'nock';
import { answerHttp, type FakeKube } from './fake-kube.ts';

/**
 * Routes every request to `server` through nock into `fake`, so a real KubeClient (its retries, deadline,
 * guards) talks to the in-memory server. Call nock.cleanAll() afterwards.
 */
export function serveWithNock(fake: FakeKube, server: string): void {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    nock(server)
      .persist()
      .intercept(/.*/, method)
      .reply(function (uri, requestBody) {
        const contentType = this.req.headers['content-type'];
        const { status, body, headers } = answerHttp(fake, method, new URL(uri, server), typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody), contentType);
        return [status, body, headers];
      });
  }
}
