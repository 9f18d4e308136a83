import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  EmptyState,
  Form,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  InlineError,
  Select,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useRef, useState } from "react";
import { programPageAction } from "~/admin/program-action.server";
import { fromMoney, intOf, toMoney, useProgramEditor, type EditableProgram } from "~/components/program-editor";
import { StorefrontLanguages, TranslatedName } from "~/components/storefront-languages";
import db from "~/db.server";
import { programDocument } from "~/models/program.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return programDocument(db, session.shop);
}

export const action = programPageAction;

type Reward = EditableProgram["rewards"][number];
const number = new Intl.NumberFormat("en");
const TYPES = [
  { label: "Fixed amount off", value: "fixed_amount" },
  { label: "Percentage off", value: "percentage" },
  { label: "Free shipping", value: "free_shipping" },
  { label: "Free product", value: "free_product" },
];
const describe = (r: Reward, currency: string) =>
  r.type === "fixed_amount"
    ? `${toMoney(r.valueMinor)} ${currency} off`
    : r.type === "percentage"
      ? `${r.percent ?? "?"}% off${r.maxDiscountMinor ? `, up to ${toMoney(r.maxDiscountMinor)} ${currency}` : ""}`
      : r.type === "free_shipping"
        ? "Free shipping"
        : r.product
          ? `One free ${r.product.title}`
          : "One free product";

export default function RewardsPage() {
  const saved = useLoaderData<typeof loader>() as EditableProgram;
  const currency = saved.currency ?? "";
  const editor = useProgramEditor(saved, { saveBarId: "rewards-save", savedMessage: "Rewards saved" });
  const { doc, setDoc, errorAt } = editor;
  const [selected, setSelected] = useState<number | null>(null);
  const [language, setLanguage] = useState("en");
  const shopify = useAppBridge();
  const rewards = doc.rewards;
  // A reward can be kept for a saved tier (a new one is offered once it is saved).
  const tiers = doc.tiers.filter((t): t is typeof t & { id: string } => !!t.id);
  const tierName = (id: string | null | undefined) => (id ? (tiers.find((t) => t.id === id)?.name ?? "a removed tier") : null);
  // The free product through App Bridge's resource picker: the product's first variant chosen.
  const chooseProduct = async (i: number) => {
    const picked = await shopify.resourcePicker({ type: "product", action: "select", filter: { variants: true } });
    const product = picked?.[0];
    const variant = product?.variants?.[0];
    if (!product || !variant?.id) return;
    const title =
      product.hasOnlyDefaultVariant || !variant.title || variant.title === "Default Title"
        ? product.title
        : `${product.title} – ${variant.title}`;
    update(i, { variantId: variant.id, product: { title, imageUrl: product.images?.[0]?.originalSrc ?? null } });
  };
  const update = (i: number, patch: Partial<Reward>) =>
    setDoc({ ...doc, rewards: rewards.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const add = () => {
    setDoc({ ...doc, rewards: [...rewards, { name: "", type: "fixed_amount", pointsCost: 500, valueMinor: 500 }] });
    setSelected(rewards.length);
  };
  const archive = (i: number) => {
    setDoc({ ...doc, rewards: rewards.filter((_, j) => j !== i) });
    setSelected(null);
  };
  const r = selected !== null ? rewards[selected] : undefined;
  // Opening a reward moves the focus to its form (below the list on a phone).
  const form = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (selected === null) return;
    form.current?.scrollIntoView({ block: "nearest" });
    form.current?.querySelector("input")?.focus();
  }, [selected]);
  const at = (field: string) => (selected !== null ? errorAt(`rewards.${selected}.${field}`) : undefined);
  const rowHasError = (i: number) => editor.errors.some((e) => e.path.startsWith(`rewards.${i}.`));

  return (
    <Page
      title="Rewards"
      subtitle="What members spend points on. A reward you remove is archived: codes already issued keep working."
      primaryAction={{ content: "Add reward", onAction: add }}
    >
      {editor.saveBar}
      <BlockStack gap="400">
        {editor.banner}
        <Layout>
          <Layout.Section>
            <Card padding="0">
              {rewards.length === 0 ? (
                <EmptyState heading="No rewards yet" action={{ content: "Add reward", onAction: add }} image="">
                  <p>Members can only save points until you add something to spend them on.</p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: "reward", plural: "rewards" }}
                  itemCount={rewards.length}
                  selectable={false}
                  headings={[{ title: "Reward" }, { title: "Gives" }, { title: "Points", alignment: "end" }, { title: "" }]}
                >
                  {rewards.map((reward, i) => (
                    <IndexTable.Row
                      id={String(i)}
                      key={reward.id ?? `new-${i}`}
                      position={i}
                      selected={selected === i}
                      onClick={() => setSelected(i)}
                    >
                      <IndexTable.Cell>
                        <InlineStack gap="200">
                          <Text as="span" fontWeight="semibold">
                            {reward.name || "Untitled reward"}
                          </Text>
                          {!reward.id ? <Badge tone="info">New</Badge> : null}
                          {reward.minTierId ? <Badge>{`${tierName(reward.minTierId)} and above`}</Badge> : null}
                          {rowHasError(i) ? <Badge tone="critical">Needs attention</Badge> : null}
                        </InlineStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{describe(reward, currency)}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {Number.isFinite(reward.pointsCost) ? number.format(reward.pointsCost) : "—"}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Button
                          variant="plain"
                          onClick={() => setSelected(i)}
                          accessibilityLabel={`Edit ${reward.name || "untitled reward"}`}
                        >
                          Edit
                        </Button>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
            </Card>
          </Layout.Section>
          {r && selected !== null ? (
            <Layout.Section variant="oneThird">
              <div ref={form}>
                <Card>
                  <Form onSubmit={() => editor.dirty && editor.save()}>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        {r.id ? "Edit reward" : "New reward"}
                      </Text>
                      <FormLayout>
                        <TextField
                          label="Name"
                          autoComplete="off"
                          value={r.name}
                          onChange={(name) => update(selected, { name })}
                          error={at("name")}
                        />
                        <Select
                          label="Type"
                          options={TYPES}
                          value={r.type}
                          onChange={(type) => update(selected, { type: type as Reward["type"] })}
                          error={at("type")}
                        />
                        <TextField
                          label="Points"
                          type="number"
                          autoComplete="off"
                          value={Number.isNaN(r.pointsCost) ? "" : String(r.pointsCost)}
                          onChange={(v) => update(selected, { pointsCost: intOf(v) as number })}
                          error={at("pointsCost")}
                        />
                        {r.type === "fixed_amount" ? (
                          <TextField
                            label={`Amount off (${currency})`}
                            autoComplete="off"
                            value={toMoney(r.valueMinor)}
                            onChange={(v) => update(selected, { valueMinor: fromMoney(v) })}
                            error={at("valueMinor")}
                          />
                        ) : null}
                        {r.type === "percentage" ? (
                          <FormLayout.Group condensed>
                            <TextField
                              label="Percent off"
                              type="number"
                              autoComplete="off"
                              value={r.percent == null ? "" : String(r.percent)}
                              onChange={(v) => update(selected, { percent: intOf(v) })}
                              error={at("percent")}
                            />
                            <TextField
                              label={`At most (${currency}, optional)`}
                              autoComplete="off"
                              value={toMoney(r.maxDiscountMinor)}
                              onChange={(v) => update(selected, { maxDiscountMinor: fromMoney(v) })}
                              error={at("maxDiscountMinor")}
                            />
                          </FormLayout.Group>
                        ) : null}
                        {r.type === "free_product" ? (
                          <BlockStack gap="200">
                            <Text as="p" id="reward-product-label">
                              Free product
                            </Text>
                            {r.variantId ? (
                              <InlineStack gap="300" blockAlign="center" wrap={false}>
                                {r.product?.imageUrl ? <Thumbnail source={r.product.imageUrl} alt="" size="small" /> : null}
                                <BlockStack>
                                  <Text as="span" fontWeight="semibold" id="reward-product">
                                    {r.product?.title ?? "Product variant"}
                                  </Text>
                                  <Text as="span" tone="subdued" variant="bodySm" breakWord>
                                    {r.variantId}
                                  </Text>
                                </BlockStack>
                              </InlineStack>
                            ) : (
                              <Text as="p" tone="subdued">
                                No product chosen yet.
                              </Text>
                            )}
                            <div>
                              <Button onClick={() => void chooseProduct(selected)} ariaDescribedBy="reward-product-label">
                                {r.variantId ? "Change product" : "Choose product"}
                              </Button>
                            </div>
                            {at("variantId") ? <InlineError message={at("variantId")!} fieldID="reward-product" /> : null}
                          </BlockStack>
                        ) : null}
                        <TextField
                          label={`Minimum subtotal (${currency}, optional)`}
                          autoComplete="off"
                          value={toMoney(r.minimumSubtotalMinor)}
                          onChange={(v) => update(selected, { minimumSubtotalMinor: fromMoney(v) })}
                          error={at("minimumSubtotalMinor")}
                        />
                        <Select
                          label="Who can redeem it"
                          options={[
                            { label: "Every member", value: "" },
                            ...tiers.map((t) => ({ label: `${t.name} members and above`, value: t.id })),
                          ]}
                          value={r.minTierId ?? ""}
                          onChange={(v) => update(selected, { minTierId: v || null })}
                          error={at("minTierId")}
                          helpText="Members below the tier see it locked, with the tier that unlocks it. A new tier can be chosen once saved."
                        />
                        <StorefrontLanguages
                          present={Object.keys(r.translations ?? {})}
                          language={language}
                          onLanguage={setLanguage}
                          translated={(l) => !!r.translations?.[l]}
                        >
                          <TranslatedName
                            translations={r.translations}
                            language={language}
                            onChange={(translations) => update(selected, { translations })}
                            errorAt={at}
                          />
                        </StorefrontLanguages>
                        <InlineStack gap="200">
                          <Button variant="primary" submit loading={editor.saving} disabled={!editor.dirty}>
                            Save
                          </Button>
                          <Button tone="critical" onClick={() => archive(selected)}>
                            {r.id ? "Archive" : "Remove"}
                          </Button>
                        </InlineStack>
                      </FormLayout>
                    </BlockStack>
                  </Form>
                </Card>
              </div>
            </Layout.Section>
          ) : null}
        </Layout>
      </BlockStack>
    </Page>
  );
}
