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
