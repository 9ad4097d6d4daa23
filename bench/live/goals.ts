/**
 * Issue 12's goals for the live bench, and what one run says of each: met, missed, or out of reach at the CPU the
 * work needs. The bench's clients and the API server share its cores, so the CPU fsm-gitops and the server spend on
 * a command, over the cores, is a floor under its wall time (cpu-time.ts): where kubectl's time over that floor is
 * under the goal, no scheduling can meet it; only less CPU per request can.
 */

/** The live bench's steps, as its table names them. */
export const WORK = {
  planNew: 'plan, all new',
  planUnchanged: 'plan, none changed',
  create: 'apply, create 1,000',
  prune: 'apply, prune 500',
} as const;
export type Work = (typeof WORK)[keyof typeof WORK];

/** kubectl's time over fsm-gitops's, at least (issue 12, "Goals"), by step. */
export const GOALS: Readonly<Record<Work, number>> = {
  [WORK.planNew]: 3,
  [WORK.planUnchanged]: 5,
  [WORK.create]: 1.5,
  [WORK.prune]: 1.5,
};

export interface GoalFigures {
  /** Median wall ms of each tool. */
  fsmMs: number;
  kubectlMs: number;
  /** Median of fsm-gitops's (own + server CPU ms) / cores per round; undefined where the CPU was not measured. */
  floorMs: number | undefined;
  goal: number;
}

export interface GoalVerdict {
  ratio: number;
  /** kubectl's time over the floor: the best ratio this much CPU allows on these cores. */
  bestRatio: number | undefined;
  /** `met`, `missed`, or `out of reach` (bestRatio under the goal). */
  verdict: 'met' | 'missed' | 'out of reach';
}

/** The floor under one round's wall time, in ms: (own + server CPU ms) / cores; undefined without both figures. */
export function cpuFloorMs(ownCpuMs: number | undefined, serverCpuMs: number | undefined, cores: number): number | undefined {
  if (ownCpuMs === undefined || serverCpuMs === undefined || !(cores > 0)) return undefined;
  return (ownCpuMs + serverCpuMs) / cores;
}

export function judge({ fsmMs, kubectlMs, floorMs, goal }: GoalFigures): GoalVerdict {
  const ratio = kubectlMs / fsmMs;
  const bestRatio = floorMs === undefined || floorMs <= 0 ? undefined : kubectlMs / floorMs;
  const verdict = ratio >= goal ? 'met' : bestRatio !== undefined && bestRatio < goal ? 'out of reach' : 'missed';
  return { ratio, bestRatio, verdict };
}
