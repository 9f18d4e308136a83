// The contract between the app and this Function: the settings the app writes, as JSON, into a
// reward code's `$app:loyalty-club / reward` metafield, and this Function reads. It lives here,
// in the extension, because the Shopify CLI builds the extension from this folder alone; the
// app reads it through app/shopify/reward-settings.ts, its one import from extensions/ (ADR 0012).

/** What the app writes into the discount's `$app:loyalty-club / reward` metafield. */
export type RewardSettings =
  | {
      type: "percentage";
      /** whole percent, 1–100 */
      percent: number;
      /** the most the discount may take off, in shop currency ("20.00"); null for no cap */
      cap: string | null;
      /** the cart subtotal the code needs, in shop currency ("50.00") */
      minimumSubtotal: string | null;
      /** shown to the shopper at checkout */
      message: string;
    }
  | {
      type: "free_product";
      /** the product variant given, as a GID */
      variantId: string;
      minimumSubtotal: string | null;
      message: string;
    };
