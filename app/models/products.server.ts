// The shop's products that earn no points because they carry a tag the program excludes
// (ExcludedProduct). Order webhooks name a line's product but not its tags, so the app keeps the
// excluded ones itself: from products/create, products/update and products/delete as they come,
// and, whenever the excluded tags change, by listing the tagged products through Admin GraphQL.
// The order writer reads the table for the products of a batch (app/models/orders.server.ts).
import { productExcluded, tagList } from "~/domain/program";
import type { Db } from "~/db.server";
import { adminCall, type AdminGraphql } from "~/shopify/admin-call.server";
import { TAGGED_PRODUCTS, type TaggedProducts } from "~/shopify/operations";
import { errorText, log } from "~/log.server";
import { currentRules } from "./shops.server";

async function excludedTagsOf(db: Db, shopId: string): Promise<string[] | null> {
  const shop = await db.shop.findFirst({ where: { id: shopId, uninstalledAt: null }, select: { programVersion: true } });
  return shop ? (await currentRules(db, shopId, shop.programVersion)).excludedProductTags : null;
}

/** products/create and products/update: the product is in the table exactly while it carries an excluded tag. */
export async function syncProduct(db: Db, shopId: string, product: { productId: string; tags: string | null }) {
  const excludedTags = await excludedTagsOf(db, shopId);
  if (excludedTags === null) return;
  if (productExcluded(tagList(product.tags), excludedTags)) {
    await db.excludedProduct.upsert({
      where: { shopId_productId: { shopId, productId: product.productId } },
      create: { shopId, productId: product.productId },
      update: { updatedAt: new Date() },
    });
  } else {
    await db.excludedProduct.deleteMany({ where: { shopId, productId: product.productId } });
  }
}

/** products/delete. */
export async function forgetProduct(db: Db, shopId: string, productId: string) {
  await db.excludedProduct.deleteMany({ where: { shopId, productId } });
}

/** Shopify's product search for any of the tags: `tag:'a' OR tag:'b'` (quotes escaped). */
export function taggedProductsQuery(tags: readonly string[]): string {
  return tags.map((t) => `tag:'${t.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(" OR ");
}

const PAGE = 250;
const COST = 2 + PAGE;

/**
 * Fills the shop's table for the program's current excluded tags, when it was filled for others:
 * the tagged products are listed page by page (within the API budget), upserted, and whatever the
 * listing did not renew (a product that lost its tag, or the tags changed) is removed. A webhook
 * arriving meanwhile writes a newer updatedAt, which the clean-up leaves alone.
 */
export async function syncExcludedProducts(db: Db, graphql: AdminGraphql, shopId: string, now = new Date()) {
  const shop = await db.shop.findFirst({
    where: { id: shopId, uninstalledAt: null },
    select: { programVersion: true, productTagsSynced: true },
  });
  if (!shop) return { synced: false, products: 0 };
  const tags = (await currentRules(db, shopId, shop.programVersion)).excludedProductTags;
  const wanted = tags.join(",");
  if (wanted === shop.productTagsSynced) return { synced: false, products: 0 };
  let products = 0;
  if (tags.length > 0) {
    let after: string | null = null;
    for (;;) {
      const data = (await adminCall(
        graphql,
        TAGGED_PRODUCTS,
        { first: PAGE, after, query: taggedProductsQuery(tags) },
        { cost: COST, attempts: 5 },
      )) as unknown as TaggedProducts;
      // Shopify's search matches tags loosely; the program's own rule decides.
      const ids = data.products.nodes.filter((p) => productExcluded(p.tags, tags)).map((p) => p.legacyResourceId);
      for (const productId of ids) {
        await db.excludedProduct.upsert({
          where: { shopId_productId: { shopId, productId } },
          create: { shopId, productId, updatedAt: now },
          update: { updatedAt: now },
        });
      }
      products += ids.length;
      if (!data.products.pageInfo.hasNextPage || !data.products.pageInfo.endCursor) break;
      after = data.products.pageInfo.endCursor;
    }
  }
  await db.$transaction([
    db.excludedProduct.deleteMany({ where: { shopId, updatedAt: { lt: now } } }),
    db.shop.updateMany({ where: { id: shopId, programVersion: shop.programVersion }, data: { productTagsSynced: wanted } }),
  ]);
  log("info", "excluded products synced", { shop: shopId, tags: tags.length, products });
  return { synced: true, products };
}

/** Every installed shop whose excluded tags changed since the last fill (the job thread, every 30 s). */
export async function syncExcludedProductsForShops(db: Db, graphqlFor: (shopId: string) => Promise<AdminGraphql>) {
  const shops = await db.shop.findMany({
    where: { uninstalledAt: null },
    select: { id: true, programVersion: true, productTagsSynced: true },
  });
  for (const shop of shops) {
    const tags = (await currentRules(db, shop.id, shop.programVersion)).excludedProductTags.join(",");
    if (tags === shop.productTagsSynced) continue;
    try {
      await syncExcludedProducts(db, await graphqlFor(shop.id), shop.id);
    } catch (error) {
      log("warn", "excluded products: sync failed, retried on the next run", { shop: shop.id, error: errorText(error) });
    }
  }
}
