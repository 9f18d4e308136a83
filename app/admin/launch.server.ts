// The setup guide's pilot and launch steps: the program's launch state changed on its own, saved
// as a new program version through the one save path (validation, version check, publishing).
import db from "~/db.server";
import type { Launch } from "~/domain/program";
import { pilotTagProblem } from "~/domain/setup";
import { programDocument } from "~/models/program.server";
import type { AdminGraphql } from "~/shopify/admin-call.server";
import { submitProgram, type ProgramSave } from "./program.server";

export async function setLaunch(
  shopId: string,
  launch: Launch,
  options: { actor: string; graphql?: () => Promise<AdminGraphql> },
): Promise<ProgramSave> {
  if (launch.state === "pilot") {
    const problem = pilotTagProblem(launch.pilotTag);
    if (problem) return { status: 422, errors: [{ path: "launch.pilotTag", message: problem }] };
  }
  const { currency: _currency, ...doc } = await programDocument(db, shopId);
  return submitProgram(shopId, { ...doc, launch: { state: launch.state, pilotTag: launch.pilotTag.trim() } }, options);
}
