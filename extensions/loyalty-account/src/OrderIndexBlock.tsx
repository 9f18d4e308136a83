// customer-account.order-index.block.render: the balance above the order list, and the way to the
// loyalty page. Nothing for a customer who is not a member or when the app cannot answer.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loyaltyClient, type Me } from "../../ui-shared/client";
import { localised } from "../../ui-shared/shopify";
import { nameOf } from "../../ui-shared/text";

export default async () => {
  render(<OrderIndexBlock />, document.body);
};

function OrderIndexBlock() {
  const t = localised(shopify.i18n, shopify.localization.language.value.isoCode);
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    void loyaltyClient("customer-account", shopify.sessionToken).me().then(setMe);
  }, []);
  if (!me?.enrolled) return null;
  return (
    <s-stack direction="inline" gap="base" alignItems="center" justifyContent="space-between">
      <s-text type="strong">
        {t.points("block.balance", me.points?.available ?? 0)}
        {me.tier ? " · " : ""}
        {me.tier && <bdi>{nameOf(me.tier, t.language)}</bdi>}
      </s-text>
      <s-link href="extension:loyalty-account/">{t.translate("block.link")}</s-link>
    </s-stack>
  );
}
