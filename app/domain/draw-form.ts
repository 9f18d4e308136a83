// The one schema of a new draw: the admin page's form and POST /app/api/draws both use it.
import { z } from "zod";

const whole = (label: string, max: number) =>
  z
    .number(`${label} must be a whole number`)
    .int(`${label} must be a whole number`)
    .min(1, `${label} must be at least 1`)
    .max(max, `${label} must be at most ${max.toLocaleString("en")}`);

export const DrawInput = z.object({
  name: z.string("name is required").trim().min(1, "name is required").max(100, "name is at most 100 characters"),
  endsAt: z.iso
    .datetime({ offset: true, message: "say when entries close, as a date and time such as 2026-12-24T18:00:00Z" })
    .transform((s) => new Date(s)),
  pointsPerEntry: whole("points per entry", 1_000_000),
  maxEntriesPerCustomer: whole("the limit per customer", 10_000),
  winners: whole("the number of winners", 1_000),
  prizeRewardId: z.string().min(1).max(100).nullish(),
});
export type DrawInput = z.output<typeof DrawInput>;
