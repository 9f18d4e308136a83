// The rules the app writes to the validation's metafield ($app:loyalty-members-only / settings,
// type json). `productTags` and `tierTags` are also the input query's variables.

export interface MembersOnlyRule {
  /** the product tag that marks the products this rule keeps back */
  tag: string;
  /** null: any member; else this tier or a higher one */
  minTier: string | null;
  /** null: always; else early access: kept back until this shop-local date (YYYY-MM-DD), open to all from it */
  until: string | null;
}

export interface MembersOnlySettings {
  /** every tag a rule names */
  productTags: string[];
  /** the tier tags (loyalty-tier:<name>) of every tier, lowest tier first */
  tierTags: string[];
  /** tier names, lowest first (tierTags in the same order) */
  tiers: string[];
  rules: MembersOnlyRule[];
}
