// The admin home's setup guide: its steps, in the order a merchant takes them.
export const SETUP_STEPS = ["program", "rewards", "tiers", "members", "launch"] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];
