import type { KubeApi } from '../kube/kube-client.ts';
import { EnvironmentRecord } from './environment-record.ts';

/**
 * After a rollback the environment is pinned to what it was rolled back to: merge deploys pause (saying
 * so) until `/fsm unlock <env>`, or until the default branch matches the cluster again.
 */
export interface Pin {
  sha: string;
  deployment: number | undefined;
  actor: string;
  since: string;
}

export class Pins {
  constructor(
    private readonly client: KubeApi,
    private readonly namespace: string,
  ) {}

  private record(environment: string): EnvironmentRecord<Pin> {
    return new EnvironmentRecord<Pin>(this.client, this.namespace, environment, 'pin');
  }

  async read(environment: string): Promise<Pin | undefined> {
    return (await this.record(environment).read())?.value;
  }

  async pin(environment: string, pin: Pin): Promise<void> {
    const record = this.record(environment);
    if (await record.create(pin)) return;
    const held = await record.read();
    if (held) await record.replace(pin, held.resourceVersion);
    else await record.create(pin);
  }

  /**
   * Removes the pin; returns it when there was one. With `setBefore`, only a pin set before that time: a
   * pin set after the caller looked at the cluster (a rollback meanwhile) stays.
   */
  async unpin(environment: string, setBefore?: Date): Promise<Pin | undefined> {
    const record = this.record(environment);
    const held = await record.read();
    if (!held) return undefined;
    if (setBefore && !(Date.parse(held.value.since) < setBefore.getTime())) return undefined;
    return (await record.delete(held.resourceVersion)) ? held.value : undefined;
  }
}
