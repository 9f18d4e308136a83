// What an order is owed in points, decided from everything known about it so far.
// Webhooks arrive in any order and any number of times; each delivery updates the facts and
// this function says what is still to be written, so the final state never depends on delivery.
import { mulDivRoundHalfUp } from "./arithmetic";

export interface OrderPointsState {
  /** merchandise subtotal S in minor units; null until an order payload has said it */
  subtotalMinor: number | null;
  paid: boolean;
  cancelled: boolean;
  /** R: merchandise subtotals of all refunds recorded so far */
  refundedMinor: number;
  /** whether the earning has been decided (it may have been 0 points) */
  earnDecided: boolean;
  earned: number;
  reversed: number;
}

export interface OrderPointsPlan {
  /** points to credit now (0 when there is nothing to earn or it was already decided) */
  earn: number;
  /** points to take back now, as a positive number */
  reverse: number;
  /** the state after the plan is written */
  next: OrderPointsState;
}

/** Total to reverse for an order that earned E on subtotal S after refunds R: round(E×R/S), exactly E once R ≥ S. */
export function reversalTarget(earned: number, refundedMinor: number, subtotalMinor: number, cancelled: boolean): number {
  if (earned <= 0) return 0;
  if (cancelled || subtotalMinor <= 0 || refundedMinor >= subtotalMinor) return earned;
  return mulDivRoundHalfUp(earned, Math.max(0, refundedMinor), subtotalMinor);
}

/**
 * @param pointsIfEarned points the order would earn now (rate and tier applied by the caller),
 *   or null when its customer cannot earn (no customer, opted out, not enrolled).
 */
export function planOrderPoints(state: OrderPointsState, pointsIfEarned: number | null): OrderPointsPlan {
  let { earnDecided, earned } = state;
  let earn = 0;
  if (!earnDecided && state.paid && state.subtotalMinor !== null && pointsIfEarned !== null) {
    earnDecided = true;
    earn = Math.max(0, pointsIfEarned);
    earned = earn;
  }
  const target = reversalTarget(earned, state.refundedMinor, state.subtotalMinor ?? 0, state.cancelled);
  const reverse = Math.max(0, target - state.reversed);
  return { earn, reverse, next: { ...state, earnDecided, earned, reversed: state.reversed + reverse } };
}
