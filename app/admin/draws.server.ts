import { jsonError } from "~/admin/api.server";
import { DrawError } from "~/models/draws.server";

/** A draw's refusal (not found, not ended, cancelled, drawn) as `{"error": code}` with its status. */
export async function drawErrorResponse(answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (error) {
    if (error instanceof DrawError) return jsonError(error.status, [{ path: "draw", message: error.message }], error.code);
    throw error;
  }
}
