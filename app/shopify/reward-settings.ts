// The settings of a reward code, as the discount Function reads them from its metafield. The
// type is the Function's contract and lives in the extension (the Shopify CLI builds
// extensions/loyalty-reward-discount from its own folder, so the extension cannot import from
// app/); this module is the one place in app/ allowed to import from extensions/ — the lint
// rule in eslint.config.js refuses any other (ADR 0012). Types only: nothing of the extension
// is bundled into the app.
export type { RewardSettings } from "../../extensions/loyalty-reward-discount/src/settings";
export type { MembersOnlySettings } from "../../extensions/loyalty-members-only/src/settings";
