export interface TierRule {
  id: string;
  name: string;
  thresholdPoints: number;
  earnMultiplierPct: number;
}

export interface TierStanding {
  tier: TierRule | null;
  next: { tier: TierRule; pointsToGo: number } | null;
}

/** The highest tier whose threshold the lifetime points reach, and the one after it. */
export function tierStanding(lifetimePoints: number, tiers: readonly TierRule[]): TierStanding {
  const sorted = [...tiers].sort((a, b) => a.thresholdPoints - b.thresholdPoints);
  let tier: TierRule | null = null;
  let next: TierStanding["next"] = null;
  for (const candidate of sorted) {
    if (lifetimePoints >= candidate.thresholdPoints) tier = candidate;
    else {
      next = { tier: candidate, pointsToGo: candidate.thresholdPoints - lifetimePoints };
      break;
    }
  }
  return { tier, next };
}
