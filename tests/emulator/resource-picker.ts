// The admin's resource picker, offline: the shop's products (CATALOG) in the shape App Bridge's
// `shopify.resourcePicker` resolves with (@shopify/app-bridge-types: Product, ProductVariant,
// Image), so the app reads the emulator's answer exactly as it reads Shopify's. Tests and demo only.
import { CATALOG } from "./store.ts";

type Item = (typeof CATALOG)[number];
const HUES = [18, 42, 88, 140, 168, 200, 228, 262, 290, 320, 350, 8];
const CREATED = "2025-01-06T09:00:00Z";

const price = (minor: number) => (minor / 100).toFixed(2);
const productGid = (p: Item) => `gid://shopify/Product/${p.productId}`;
const variantGid = (p: Item) => `gid://shopify/ProductVariant/${p.variantId}`;

/** A square swatch with the product's initial, as the product's one image. */
export function productImage(productId: number): string | null {
  const i = CATALOG.findIndex((p) => p.productId === productId);
  if (i < 0) return null;
  const p = CATALOG[i]!;
  const hue = HUES[i % HUES.length];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120"><rect width="120" height="120" rx="12" fill="hsl(${hue} 45% 42%)"/><text x="60" y="78" font-family="system-ui,sans-serif" font-size="52" font-weight="700" fill="#fff" text-anchor="middle">${p.title[0]}</text></svg>`;
}

function image(p: Item, origin: string) {
  return {
    id: `gid://shopify/ProductImage/${p.productId}`,
    altText: p.title,
    originalSrc: `${origin}/admin/product-image/${p.productId}.svg`,
  };
}

function variant(p: Item, origin: string, withProduct: boolean) {
  return {
    id: variantGid(p),
    title: "Default Title",
    displayName: `${p.title} - Default Title`,
    availableForSale: true,
    barcode: null,
    compareAtPrice: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    image: null,
    inventoryItem: { id: `gid://shopify/InventoryItem/${p.variantId}` },
    inventoryManagement: "SHOPIFY",
    inventoryPolicy: "DENY",
    inventoryQuantity: 25,
    position: 1,
    price: price(p.priceMinor),
    requiresShipping: true,
    selectedOptions: [{ value: "Default Title" }],
    sku: p.handle.toUpperCase(),
    taxable: true,
    weight: 0,
    weightUnit: "KILOGRAMS",
    ...(withProduct ? { product: { id: productGid(p), title: p.title, handle: p.handle, images: [image(p, origin)] } } : {}),
  };
}

function product(p: Item, origin: string) {
  return {
    id: productGid(p),
    title: p.title,
    handle: p.handle,
    descriptionHtml: "",
    createdAt: CREATED,
    updatedAt: CREATED,
    publishedAt: CREATED,
    availablePublicationCount: 1,
    hasOnlyDefaultVariant: true,
    images: [image(p, origin)],
    options: [{ id: `gid://shopify/ProductOption/${p.productId}`, name: "Title", position: 1, values: ["Default Title"] }],
    productType: "",
    tags: [],
    templateSuffix: null,
    totalInventory: 25,
    totalVariants: 1,
    tracksInventory: true,
    variants: [variant(p, origin, false)],
    vendor: "Demo Outfitters",
    status: "ACTIVE",
  };
}

/**
 * What the picker lists for `type` ("product" or "variant"; collections are not emulated) and a
 * search `query` (title contains), each as App Bridge gives a selected resource.
 */
export function pickerResources(type: string, query: string, origin: string): unknown[] | null {
  if (type !== "product" && type !== "variant") return null;
  const q = query.trim().toLowerCase();
  const items = CATALOG.filter((p) => !q || p.title.toLowerCase().includes(q));
  return items.map((p) => (type === "product" ? product(p, origin) : variant(p, origin, true)));
}
