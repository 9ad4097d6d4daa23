import type { KubeApi } from '../kube/kube-client.ts';
import { EnvironmentRecord } from './environment-record.ts';

/**
 * A pull request that applied before merge holds its environment until it is merged or closed: no other
 * pull request may apply there meanwhile (what it applied would be overwritten, or its own merge would
 * undo another's). Released on close, by `/fsm unlock`, and swept by the drift schedule when the pull
 * request is gone.
 */
export interface Claim {
  /** `owner/name` of the repository, and the pull request's number there. */
  repository: string;
  pr: number;
  headSha: string;
  actor: string;
  since: string;
}

/** `previous`: the claim this pull request held before (an earlier apply of it), which `take` replaced. */
export type ClaimOutcome = { taken: true; previous?: Claim } | { taken: false; holder: Claim };

export class Claims {
  constructor(
    private readonly client: KubeApi,
    private readonly namespace: string,
  ) {}

  private record(environment: string): EnvironmentRecord<Claim> {
    return new EnvironmentRecord<Claim>(this.client, this.namespace, environment, 'claim');
  }

  async read(environment: string): Promise<Claim | undefined> {
    return (await this.record(environment).read())?.value;
  }

  /** Takes the environment for a pull request; refused (naming the holder) when another one holds it. */
  async take(environment: string, claim: Claim): Promise<ClaimOutcome> {
    const record = this.record(environment);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await record.create(claim)) return { taken: true };
      const held = await record.read();
      if (!held) continue; // released between our create and our read
      if (!sameHolder(held.value, claim)) return { taken: false, holder: held.value };
      await record.replace(claim, held.resourceVersion);
      return { taken: true, previous: held.value };
    }
    throw new Error(`the claim of ${environment} keeps changing; try again`);
  }

  /**
   * Undoes `take` for an apply that left nothing applied (refused, rolled back, stopped before writing):
   * the pull request's earlier claim is put back, or the claim released when it held none. Does nothing
   * when the claim is no longer `claim`'s pull request's.
   */
  async restore(environment: string, claim: Claim, previous: Claim | undefined): Promise<void> {
    if (!previous) {
      await this.release(environment, claim);
      return;
    }
    const record = this.record(environment);
    const held = await record.read();
    if (held && sameHolder(held.value, claim)) await record.replace(previous, held.resourceVersion);
  }

  /** Releases the claim if `pr` holds it (any holder when `pr` is undefined); returns the claim released. */
  async release(environment: string, holder?: { repository: string; pr: number }): Promise<Claim | undefined> {
    const record = this.record(environment);
    const held = await record.read();
    if (!held || (holder && !sameHolder(held.value, holder))) return undefined;
    return (await record.delete(held.resourceVersion)) ? held.value : undefined;
  }
}

function sameHolder(a: { repository: string; pr: number }, b: { repository: string; pr: number }): boolean {
  return a.repository === b.repository && a.pr === b.pr;
}
