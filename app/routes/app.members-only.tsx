// Members-only products and early access: rules by product tag, published to the checkout
// validation Function (docs/http.md "Members-only products").
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { SaveBar, useAppBridge } from "@shopify/app-bridge-react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  EmptyState,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import db from "~/db.server";
import { AccessRules } from "~/domain/members-only";
import { fieldErrors, type FieldError } from "~/domain/program-document";
import { sentence } from "~/domain/wording";
import { AccessRuleError, accessRules, saveAccessRules } from "~/models/members-only.server";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return accessRules(db, session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, admin } = await authenticate.admin(request);
  const parsed = AccessRules.safeParse(await request.json());
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  try {
    const saved = await saveAccessRules(db, async () => adminGraphqlClient(admin), session.shop, parsed.data.rules);
    return { published: saved.published };
  } catch (error) {
    if (error instanceof AccessRuleError) return { errors: error.errors };
    throw error;
  }
}

type Row = { tag: string; minTierId: string; until: string };
const rowsOf = (rules: Array<{ tag: string; minTierId: string | null; until: string | null }>): Row[] =>
  rules.map((r) => ({ tag: r.tag, minTierId: r.minTierId ?? "", until: r.until ?? "" }));

export default function MembersOnlyPage() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<{ published?: boolean; errors?: FieldError[] }>();
  const shopify = useAppBridge();
  const [rows, setRows] = useState<Row[]>(() => rowsOf(data.rules));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const base = JSON.stringify(rowsOf(data.rules));
  const dirty = JSON.stringify(rows) !== base;
  const errorAt = (path: string) => {
    const message = errors.find((e) => e.path === path)?.message;
    return message === undefined ? undefined : sentence(message);
  };
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    setErrors(fetcher.data.errors ?? []);
    if (fetcher.data.published === true) shopify.toast.show("Rules saved and active at checkout");
    if (fetcher.data.published === false)
      shopify.toast.show("Rules saved; Shopify did not take them yet: save again", { isError: true });
  }, [fetcher.state, fetcher.data, shopify]);
  useEffect(() => setRows(rowsOf(data.rules)), [data.rules]);

  const body = { rules: rows.map((r) => ({ tag: r.tag, minTierId: r.minTierId || null, until: r.until || null })) };
  const save = () => {
    const checked = AccessRules.safeParse(body);
    if (!checked.success) return setErrors(fieldErrors(checked.error));
    fetcher.submit(JSON.stringify(body), { method: "post", encType: "application/json" });
  };
  const update = (i: number, patch: Partial<Row>) => setRows((list) => list.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const tierOptions = [
    { label: "Any member", value: "" },
    ...data.tiers.map((t) => ({ label: `${t.name} and higher`, value: t.id })),
  ];

  return (
    <Page
      title="Members-only products"
      primaryAction={{ content: "Add rule", onAction: () => setRows((list) => [...list, { tag: "", minTierId: "", until: "" }]) }}
    >
      <SaveBar id="members-only-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={fetcher.state !== "idle"}>
          Save
        </button>
        <button onClick={() => (setRows(rowsOf(data.rules)), setErrors([]))}>Discard</button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {rows.length === 0 ? (
              <Card>
                <EmptyState
                  heading="Keep products for your members"
                  action={{ content: "Add rule", onAction: () => setRows([{ tag: "", minTierId: "", until: "" }]) }}
                  image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
                >
                  <p>Tag products in Shopify (for example members-only), then say here who may buy products with that tag.</p>
                </EmptyState>
              </Card>
            ) : (
              rows.map((r, i) => (
                <Card key={i}>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField
                        label="Product tag"
                        autoComplete="off"
                        value={r.tag}
                        onChange={(tag) => update(i, { tag })}
                        error={errorAt(`rules.${i}.tag`)}
                        helpText="Products with this tag in Shopify (Products › Tags)."
                      />
                      <Select
                        label="Who may buy"
                        options={tierOptions}
                        value={r.minTierId}
                        onChange={(minTierId) => update(i, { minTierId })}
                        error={errorAt(`rules.${i}.minTierId`)}
                      />
                      <TextField
                        label="Early access until"
                        type="date"
                        autoComplete="off"
                        value={r.until}
                        onChange={(until) => update(i, { until })}
                        error={errorAt(`rules.${i}.until`)}
                        helpText="Empty: always. A date: open to everyone from that day (shop time)."
                      />
                    </FormLayout.Group>
                    <InlineStack align="end">
                      <Button tone="critical" variant="plain" onClick={() => setRows((list) => list.filter((_, j) => j !== i))}>
                        Remove rule
                      </Button>
                    </InlineStack>
                  </FormLayout>
                </Card>
              ))
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Enforced at checkout
              </Text>
              <Text as="p">
                A checkout rule (a cart and checkout validation) blocks these products for anyone else, however they reach
                checkout: direct links, cart permalinks, express checkouts. The storefront shows a lock and what it takes to buy.
              </Text>
              {data.validationId ? (
                <Banner tone="success">Active in Settings › Checkout › Checkout rules.</Banner>
              ) : (
                <Banner tone="info">
                  Saving rules turns the checkout rule on (the app asks for the write_validations permission).
                </Banner>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
