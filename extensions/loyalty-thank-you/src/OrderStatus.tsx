// customer-account.order-status.block.render: an order the customer looks at again later.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { loyaltyClient } from "../../ui-shared/client";
import { decimal, localised } from "../../ui-shared/shopify";
import { OrderPoints } from "./OrderPoints";

export default async () => {
  const order = shopify.order.value;
  const subtotal = shopify.cost.subtotalAmount.value;
  if (!order) return;
  render(
    <OrderPoints
      api={loyaltyClient("customer-account", shopify.sessionToken)}
      t={localised(shopify.i18n, shopify.localization.language.value.isoCode)}
      orderId={order.id}
      subtotal={{ amount: decimal(subtotal.amount), currency: subtotal.currencyCode }}
    />,
    document.body,
  );
};
