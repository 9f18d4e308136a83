// What the daily comparison of orders with Shopify found, on the admin home, and "Check now":
// the page calls the admin API itself (App Bridge adds the session token to the fetch), shows the
// result as a toast and reloads the home's figures.
import { useRevalidator } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useState } from "react";
import { reconciliationSummary, reconciliationToast, type ReconciliationFindings } from "~/domain/wording";

export type LastReconciliation = (ReconciliationFindings & { ranAt: string }) | null;

const when = (iso: string) => new Date(iso).toLocaleDateString("en", { dateStyle: "medium" });

export function ReconciliationCard({ last }: { last: LastReconciliation }) {
  const shopify = useAppBridge();
  const revalidator = useRevalidator();
  const [checking, setChecking] = useState(false);

  const check = async () => {
    setChecking(true);
    try {
      const res = await fetch("/app/api/reconcile", { method: "POST" });
      const body = await res.json().catch(() => ({}));
      if (res.ok && body.report) shopify.toast.show(reconciliationToast(body.report));
      else if (res.status === 409) shopify.toast.show("A check is already running; try again in a minute", { isError: true });
      else shopify.toast.show("Shopify could not be reached; try again later", { isError: true });
      revalidator.revalidate();
    } catch {
      shopify.toast.show("The check could not be started; try again", { isError: true });
    } finally {
      setChecking(false);
    }
  };

  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">
            Orders checked with Shopify
          </Text>
          <Button onClick={check} loading={checking}>
            Check now
          </Button>
        </InlineStack>
        <Text as="p" id="reconciliation-summary">
          {last ? reconciliationSummary(last, when(last.ranAt)) : "Not checked yet."}
        </Text>
        <Text as="p" tone="subdued" variant="bodySm">
          Once a day Loyalty Club compares your recent orders with Shopify and applies any it was never told about, so no member
          misses points.
        </Text>
      </BlockStack>
    </Card>
  );
}
