// purchase.thank-you.block.render: the order just placed.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { loyaltyClient } from "../../ui-shared/client";
import { decimal, localised } from "../../ui-shared/shopify";
import { OrderPoints } from "./OrderPoints";

export default async () => {
  const subtotal = shopify.cost.subtotalAmount.value;
  render(
    <OrderPoints
      api={loyaltyClient("checkout", shopify.sessionToken)}
      t={localised(shopify.i18n, shopify.localization.language.value.isoCode)}
      orderId={shopify.orderConfirmation.value.order.id}
      subtotal={{ amount: decimal(subtotal.amount), currency: subtotal.currencyCode }}
    />,
    document.body,
  );
};
