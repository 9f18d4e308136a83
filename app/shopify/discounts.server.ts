// Creating the discount code a shopper redeems points for. Takes the Admin GraphQL client as an
// argument (tests pass the store emulator's). Throttling and server errors are retried briefly;
// a refusal (userErrors) is final.
import { formatMinorUnits } from "~/domain/money";
import { adminCall, ShopifyRejectedError, type AdminGraphql } from "./admin-call.server";
import { CREATE_APP_DISCOUNT, CREATE_BASIC_DISCOUNT, CREATE_FREE_SHIPPING_DISCOUNT, DISCOUNT_BY_CODE } from "./operations";
import type { RewardSettings } from "./reward-settings";

/** The app's discount Function (extensions/loyalty-reward-discount) and the metafield it reads. */
export const REWARD_FUNCTION = { handle: "loyalty-reward-discount", namespace: "$app:loyalty-club", key: "reward" } as const;

export { ShopifyRejectedError, ShopifyUnavailableError, ShopNotConnectedError, type AdminGraphql } from "./admin-call.server";

/** A discount mutation to send: the document, the mutation's field, its variables. */
export interface DiscountRequest {
  query: string;
  field: string;
  variables: Record<string, unknown>;
}

export interface RewardForDiscount {
  name: string;
  type: string;
  valueMinor: number | null;
  percent: number | null;
  maxDiscountMinor: number | null;
  variantId: string | null;
  minimumSubtotalMinor: number | null;
}

/** The mutation and its input for a reward: for this customer alone, single use, expiring. */
export function discountRequest(
  reward: RewardForDiscount,
  code: string,
  customerId: string,
  currency: string,
  startsAt: Date,
  endsAt: Date,
): DiscountRequest {
  const base = {
    title: `Loyalty Club: ${reward.name} (${code})`,
    code,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    context: { customers: { add: [`gid://shopify/Customer/${customerId}`] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
  };
  const minimumSubtotal = reward.minimumSubtotalMinor ? formatMinorUnits(reward.minimumSubtotalMinor, currency) : null;
  const common = {
    ...base,
    ...(minimumSubtotal ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: minimumSubtotal } } } : {}),
  };
  const basic = (customerGets: Record<string, unknown>): DiscountRequest => ({
    query: CREATE_BASIC_DISCOUNT,
    field: "discountCodeBasicCreate",
    variables: { discount: { ...common, customerGets } },
  });
  // What basic code discounts cannot say (a cap; one free unit) the app's Function applies,
  // reading these settings from the discount's metafield. It checks the minimum subtotal itself.
  const byFunction = (discountClass: "ORDER" | "PRODUCT", settings: RewardSettings): DiscountRequest => ({
    query: CREATE_APP_DISCOUNT,
    field: "discountCodeAppCreate",
    variables: {
      discount: {
        ...base,
        functionHandle: REWARD_FUNCTION.handle,
        discountClasses: [discountClass],
        metafields: [
          { namespace: REWARD_FUNCTION.namespace, key: REWARD_FUNCTION.key, type: "json", value: JSON.stringify(settings) },
        ],
      },
    },
  });
  switch (reward.type) {
    case "fixed_amount":
      return basic({
        value: { discountAmount: { amount: formatMinorUnits(reward.valueMinor ?? 0, currency), appliesOnEachItem: false } },
        items: { all: true },
      });
    case "percentage":
      if (reward.maxDiscountMinor === null) {
        return basic({ value: { percentage: (reward.percent ?? 0) / 100 }, items: { all: true } });
      }
      return byFunction("ORDER", {
        type: "percentage",
        percent: reward.percent ?? 0,
        cap: formatMinorUnits(reward.maxDiscountMinor, currency),
        minimumSubtotal,
        message: reward.name,
      });
    case "free_product":
      return byFunction("PRODUCT", {
        type: "free_product",
        variantId: reward.variantId ?? "",
        minimumSubtotal,
        message: reward.name,
      });
    case "free_shipping":
      return {
        query: CREATE_FREE_SHIPPING_DISCOUNT,
        field: "discountCodeFreeShippingCreate",
        variables: { discount: { ...common, destination: { all: true } } },
      };
    default:
      throw new ShopifyRejectedError(`unknown reward type ${reward.type}`);
  }
}

export async function createRewardDiscount(graphql: AdminGraphql, request: DiscountRequest, attempts = 3): Promise<string> {
  const data = await adminCall(graphql, request.query, request.variables, { attempts });
  const result = data[request.field] as {
    codeDiscountNode?: { id: string } | null;
    codeAppDiscount?: { discountId: string } | null;
    userErrors: Array<{ message: string }>;
  };
  const id = result.codeDiscountNode?.id ?? result.codeAppDiscount?.discountId;
  if (result.userErrors.length || !id) {
    throw new ShopifyRejectedError(result.userErrors.map((e) => e.message).join("; ") || "no discount created");
  }
  return id;
}

/** The discount id for a code, or null if Shopify has none (used to settle interrupted redemptions). */
export async function findDiscountByCode(graphql: AdminGraphql, code: string): Promise<string | null> {
  const data = await adminCall(graphql, DISCOUNT_BY_CODE, { code }, { attempts: 2 });
  return (data.codeDiscountNodeByCode as { id: string } | null)?.id ?? null;
}

/** The friend's discount behind a referral code: percent off, once per customer, anyone may use it. */
export function referralDiscountRequest(code: string, percent: number, startsAt: Date): DiscountRequest {
  return {
    query: CREATE_BASIC_DISCOUNT,
    field: "discountCodeBasicCreate",
    variables: {
      discount: {
        title: `Loyalty Club referral (${code})`,
        code,
        startsAt: startsAt.toISOString(),
        context: { all: "ALL" },
        appliesOncePerCustomer: true,
        customerGets: { value: { percentage: percent / 100 }, items: { all: true } },
      },
    },
  };
}
