// Every Admin GraphQL document the app sends. tests/graphql-schema.test.ts validates each one
// against Shopify's published Admin schema for API_VERSION.
export const API_VERSION = "2026-10";

export const SHOP_FOR_PROGRAM = `#graphql
  query ShopForProgram {
    shop {
      name
      currencyCode
      ianaTimezone
    }
  }
`;

export interface ShopForProgram {
  shop: { name: string; currencyCode: string; ianaTimezone: string };
}

export const CREATE_BASIC_DISCOUNT = `#graphql
  mutation CreateRewardDiscount($discount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $discount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CREATE_FREE_SHIPPING_DISCOUNT = `#graphql
  mutation CreateFreeShippingRewardDiscount($discount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $discount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CREATE_APP_DISCOUNT = `#graphql
  mutation CreateAppRewardDiscount($discount: DiscountCodeAppInput!) {
    discountCodeAppCreate(codeAppDiscount: $discount) {
      codeAppDiscount {
        discountId
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const DISCOUNT_BY_CODE = `#graphql
  query DiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
    }
  }
`;

export const APP_INSTALLATION = `#graphql
  query AppInstallationId {
    currentAppInstallation {
      id
    }
  }
`;

export const SET_APP_METAFIELDS = `#graphql
  mutation SetAppMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/**
 * Orders changed since a moment, oldest change first, with their refunds' ids (reconciliation).
 * 50 orders × 20 refunds stays under Shopify's 1,000-point cost of one query.
 */
export const RECENT_ORDERS = `#graphql
  query RecentOrders($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        legacyResourceId
        name
        createdAt
        processedAt
        cancelledAt
        displayFinancialStatus
        test
        discountCodes
        customer {
          legacyResourceId
          tags
        }
        subtotalPriceSet {
          shopMoney {
            amount
            currencyCode
          }
          presentmentMoney {
            currencyCode
          }
        }
        refunds(first: 20) {
          legacyResourceId
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface RecentOrders {
  orders: {
    nodes: Array<{
      legacyResourceId: string;
      name: string;
      createdAt: string;
      processedAt: string | null;
      cancelledAt: string | null;
      displayFinancialStatus: string | null;
      test: boolean;
      discountCodes: string[];
      customer: { legacyResourceId: string; tags: string[] } | null;
      subtotalPriceSet: { shopMoney: { amount: string; currencyCode: string }; presentmentMoney: { currencyCode: string } };
      refunds: Array<{ legacyResourceId: string; createdAt: string }>;
    }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export interface OrderRefunds {
  order: {
    refunds: Array<{
      legacyResourceId: string;
      createdAt: string;
      refundLineItems: {
        nodes: Array<{
          lineItem: { isGiftCard: boolean; product: { legacyResourceId: string } | null } | null;
          subtotalSet: { shopMoney: { amount: string; currencyCode: string } };
        }>;
      };
    }>;
  } | null;
}

/** One order's refunds with their lines' merchandise subtotals (reconciliation, for refunds the app has not seen). */
export const ORDER_REFUNDS = `#graphql
  query OrderRefunds($id: ID!) {
    order(id: $id) {
      refunds(first: 20) {
        legacyResourceId
        createdAt
        refundLineItems(first: 45) {
          nodes {
            lineItem {
              isGiftCard
              product {
                legacyResourceId
              }
            }
            subtotalSet {
              shopMoney {
                amount
                currencyCode
              }
            }
          }
        }
      }
    }
  }
`;

/** Products carrying any of a list of tags (`tag:'a' OR tag:'b'`), a page at a time. */
export const TAGGED_PRODUCTS = `#graphql
  query TaggedProducts($first: Int!, $after: String, $query: String!) {
    products(first: $first, after: $after, query: $query) {
      nodes {
        legacyResourceId
        tags
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface TaggedProducts {
  products: {
    nodes: Array<{ legacyResourceId: string; tags: string[] }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** An order's lines as earning reads them (reconciliation of a missed orders/paid). */
export const ORDER_LINES = `#graphql
  query OrderLines($id: ID!) {
    order(id: $id) {
      lineItems(first: 100) {
        nodes {
          quantity
          isGiftCard
          product {
            legacyResourceId
          }
          originalUnitPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          discountAllocations {
            allocatedAmountSet {
              shopMoney {
                amount
                currencyCode
              }
            }
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
  }
`;

interface Money {
  amount: string;
  currencyCode: string;
}

export interface OrderLines {
  order: {
    lineItems: {
      nodes: Array<{
        quantity: number;
        isGiftCard: boolean;
        product: { legacyResourceId: string } | null;
        originalUnitPriceSet: { shopMoney: Money };
        discountAllocations: Array<{ allocatedAmountSet: { shopMoney: Money } }>;
      }>;
      pageInfo: { hasNextPage: boolean };
    };
  } | null;
}

export const CUSTOMER_TAGS = `#graphql
  query CustomerTags($id: ID!) {
    customer(id: $id) {
      id
      tags
    }
  }
`;

export const CUSTOMERS_SEARCH = `#graphql
  query CustomersSearch($query: String!) {
    customers(first: 250, query: $query) {
      nodes {
        id
        defaultEmailAddress {
          emailAddress
        }
        tags
      }
    }
  }
`;

/** The tags the shop's customers carry, for choosing a pilot's tag (most used first, as Shopify lists them). */
export const SHOP_CUSTOMER_TAGS = `#graphql
  query ShopCustomerTags {
    shop {
      customerTags(first: 250) {
        nodes
      }
    }
  }
`;

/** A member's tier tag on their Shopify customer (write_customers). */
export const CUSTOMER_TAGS_ADD = `#graphql
  mutation AddCustomerTags($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const CUSTOMER_TAGS_REMOVE = `#graphql
  mutation RemoveCustomerTags($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Turns on the members-only validation Function with its rules (needs write_validations). */
export const VALIDATION_CREATE = `#graphql
  mutation MembersOnlyValidationCreate($validation: ValidationCreateInput!) {
    validationCreate(validation: $validation) {
      validation {
        id
        enabled
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Writes new rules to the members-only validation (and keeps it on). */
export const VALIDATION_UPDATE = `#graphql
  mutation MembersOnlyValidationUpdate($id: ID!, $validation: ValidationUpdateInput!) {
    validationUpdate(id: $id, validation: $validation) {
      validation {
        id
        enabled
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Fires one of the app's Flow triggers (extensions/loyalty-flow-*) for a shop. */
export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

/** Members' $app:loyalty metafields on their customers, up to 25 per call. */
export const SET_CUSTOMER_METAFIELDS = `#graphql
  mutation SetCustomerMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        owner {
          ... on Customer {
            id
          }
        }
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

/** Metafields that have no value any more (an app-owned metafield cannot be blank). */
export const DELETE_METAFIELDS = `#graphql
  mutation DeleteMetafields($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        key
        ownerId
      }
      userErrors {
        field
        message
      }
    }
  }
`;
