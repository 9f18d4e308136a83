import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Banner,
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
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { programPageAction } from "~/admin/program-action.server";
import { fromMoney, intOf, toMoney, useProgramEditor, type EditableProgram } from "~/components/program-editor";
import { languageName, StorefrontLanguages, TranslatedName } from "~/components/storefront-languages";
import { sentence } from "~/domain/wording";
import db from "~/db.server";
import { programDocument } from "~/models/program.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return programDocument(db, session.shop);
}

export const action = programPageAction;

type Tier = EditableProgram["tiers"][number];
type Perk = NonNullable<Tier["perks"]>[number];
const number = new Intl.NumberFormat("en");

export default function TiersPage() {
  const saved = useLoaderData<typeof loader>() as EditableProgram;
  const editor = useProgramEditor(saved, { saveBarId: "tiers-save", savedMessage: "Tiers saved" });
  const { doc, setDoc, errorAt } = editor;
  const [selected, setSelected] = useState<number | null>(null);
  const [language, setLanguage] = useState("en");
  const tiers = doc.tiers;
  // A tier that rewards are kept for cannot be archived: the save says which rewards, here.
  const rewardErrors = editor.errors.flatMap((e) => {
    const m = /^rewards\.(\d+)\.minTierId$/.exec(e.path);
    const reward = m ? doc.rewards[Number(m[1])] : undefined;
    return reward ? [`${reward.name}: ${sentence(e.message)}`] : [];
  });
  const perksOf = (t: Tier): Perk[] => t.perks ?? [];
  const setPerk = (i: number, p: number, patch: Partial<Perk>) =>
    update(i, { perks: perksOf(tiers[i]!).map((perk, j) => (j === p ? { ...perk, ...patch } : perk)) });
  // A perk's text in one language; cleared, the translation is removed.
  const setPerkIn = (i: number, p: number, locale: string, text: string) => {
    const { [locale]: _old, ...others } = perksOf(tiers[i]!)[p]?.translations ?? {};
    setPerk(i, p, { translations: text.trim() ? { ...others, [locale]: text } : others });
  };
  const update = (i: number, patch: Partial<Tier>) =>
    setDoc({ ...doc, tiers: tiers.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  // How members reach tiers: the threshold each tier shows and edits is the measure's.
  const entry = { measure: doc.tierEntry?.measure ?? "points", period: doc.tierEntry?.period ?? "lifetime" };
  const bySpend = entry.measure === "spend";
  const currency = saved.currency ?? "";
  const over = entry.period === "rolling_12_months" ? "in the last 12 months" : "in total";
  const thresholdLabel = bySpend ? `From amount spent ${over} (${currency})` : `From points earned ${over}`;
  const thresholdField = bySpend ? "thresholdSpendMinor" : "thresholdPoints";
  const thresholdText = (tier: Tier) => {
    const v = bySpend ? tier.thresholdSpendMinor : tier.thresholdPoints;
    if (v === undefined || v === null || !Number.isFinite(v)) return "—";
    return bySpend ? `${toMoney(v)} ${currency}` : number.format(v);
  };
  const add = () => {
    const top = tiers.reduce((m, t) => Math.max(m, Number(bySpend ? t.thresholdSpendMinor : t.thresholdPoints) || 0), 0);
    const fresh: Tier = bySpend
      ? { name: "", thresholdPoints: 0, thresholdSpendMinor: top + 50_000, earnMultiplierPct: 100 }
      : { name: "", thresholdPoints: top + 1000, earnMultiplierPct: 100 };
    setDoc({ ...doc, tiers: [...tiers, fresh] });
    setSelected(tiers.length);
  };
  const t = selected !== null ? tiers[selected] : undefined;
  // Opening a tier moves the focus to its form (below the list on a phone).
  const form = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (selected === null) return;
    form.current?.scrollIntoView({ block: "nearest" });
    form.current?.querySelector("input")?.focus();
  }, [selected]);
  const at = (field: string) => (selected !== null ? errorAt(`tiers.${selected}.${field}`) : undefined);
  const value = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "" : String(n));

  return (
    <Page
      title="Tiers"
      subtitle="Members move up by points earned or amount spent; a higher tier can earn faster."
      primaryAction={{ content: "Add tier", onAction: add }}
    >
      {editor.saveBar}
      <BlockStack gap="400">
        {editor.banner}
        {rewardErrors.length ? (
          <Banner tone="critical" title="The tiers were not saved">
            <p>Some rewards are kept for a tier you archived: choose another tier for them on the Rewards page first.</p>
            <ul>
              {rewardErrors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </Banner>
        ) : null}
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              How members reach a tier
            </Text>
            <InlineStack gap="400" wrap>
              <Select
                label="Reached by"
                options={[
                  { label: "Points earned", value: "points" },
                  { label: "Amount spent", value: "spend" },
                ]}
                value={entry.measure}
                onChange={(measure) => setDoc({ ...doc, tierEntry: { ...entry, measure: measure as typeof entry.measure } })}
              />
              <Select
                label="Counted over"
                options={[
                  { label: "The member's lifetime", value: "lifetime" },
                  { label: "The last 12 months (rolling)", value: "rolling_12_months" },
                ]}
                value={entry.period}
                onChange={(period) => setDoc({ ...doc, tierEntry: { ...entry, period: period as typeof entry.period } })}
              />
            </InlineStack>
            <Text as="p" tone="subdued">
              {bySpend
                ? "Amount spent is what paid orders cost after discounts, without shipping and tax, less refunds; cancelled and test orders count nothing."
                : "Points earned are the points from orders, bonuses, referrals, adjustments and imports, less what refunds took back; spending points does not lower a tier."}{" "}
              {entry.period === "rolling_12_months"
                ? "An order or a point counts for 12 months from the day it was paid or earned, so members can move down when it stops counting."
                : "Members keep what they reached unless a refund or correction takes it back."}{" "}
              Changing this recomputes every member's tier in the background.
            </Text>
          </BlockStack>
        </Card>
        <Layout>
          <Layout.Section>
            <Card padding="0">
              {tiers.length === 0 ? (
                <EmptyState heading="No tiers" action={{ content: "Add tier", onAction: add }} image="">
                  <p>
                    Tiers reward your best customers: for example Silver from 1,000 points or from 500 {currency} spent, earning
                    10% more.
                  </p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: "tier", plural: "tiers" }}
                  itemCount={tiers.length}
                  selectable={false}
                  headings={[
                    { title: "Tier" },
                    { title: bySpend ? `From (spent ${over})` : `From (points ${over})`, alignment: "end" },
                    { title: "Earns", alignment: "end" },
                    { title: "" },
                  ]}
                >
                  {tiers.map((tier, i) => (
                    <IndexTable.Row
                      id={String(i)}
                      key={tier.id ?? `new-${i}`}
                      position={i}
                      selected={selected === i}
                      onClick={() => setSelected(i)}
                    >
                      <IndexTable.Cell>
                        <Text as="span" fontWeight="semibold">
                          {tier.name || "Untitled tier"}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {thresholdText(tier)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {((tier.earnMultiplierPct ?? 100) / 100).toFixed(2)}×
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Button
                          variant="plain"
                          onClick={() => setSelected(i)}
                          accessibilityLabel={`Edit ${tier.name || "untitled tier"}`}
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
          {t && selected !== null ? (
            <Layout.Section variant="oneThird">
              <div ref={form}>
                <Card>
                  <Form onSubmit={() => editor.dirty && editor.save()}>
                    <FormLayout>
                      <Text as="h2" variant="headingMd">
                        {t.id ? "Edit tier" : "New tier"}
                      </Text>
                      <TextField
                        label="Name"
                        autoComplete="off"
                        value={t.name}
                        onChange={(name) => update(selected, { name })}
                        error={at("name")}
                      />
                      {bySpend ? (
                        <TextField
                          label={thresholdLabel}
                          type="number"
                          autoComplete="off"
                          value={toMoney(t.thresholdSpendMinor)}
                          onChange={(v) => update(selected, { thresholdSpendMinor: fromMoney(v) as number })}
                          error={at(thresholdField)}
                        />
                      ) : (
                        <TextField
                          label={thresholdLabel}
                          type="number"
                          autoComplete="off"
                          value={value(t.thresholdPoints)}
                          onChange={(v) => update(selected, { thresholdPoints: intOf(v) as number })}
                          error={at(thresholdField)}
                        />
                      )}
                      <TextField
                        label="Earn rate (%)"
                        type="number"
                        autoComplete="off"
                        value={value(t.earnMultiplierPct)}
                        onChange={(v) => update(selected, { earnMultiplierPct: intOf(v) as number })}
                        helpText="100 earns the program's rate; 125 earns a quarter more."
                        error={at("earnMultiplierPct")}
                      />
                      <BlockStack gap="200">
                        <Text as="h3" variant="headingSm">
                          Perks
                        </Text>
                        {perksOf(t).length === 0 ? (
                          <Text as="p" tone="subdued">
                            What members of this tier get, for example “Free shipping on every order”.
                          </Text>
                        ) : null}
                        {perksOf(t).map((perk, p) => (
                          <TextField
                            key={p}
                            label={`Perk ${p + 1}`}
                            autoComplete="off"
                            value={perk.text}
                            onChange={(text) => setPerk(selected, p, { text })}
                            error={at(`perks.${p}.text`)}
                            connectedRight={
                              <Button
                                onClick={() => update(selected, { perks: perksOf(t).filter((_, j) => j !== p) })}
                                accessibilityLabel={`Remove perk ${p + 1}`}
                              >
                                Remove
                              </Button>
                            }
                          />
                        ))}
                        <div>
                          <Button
                            onClick={() => update(selected, { perks: [...perksOf(t), { text: "", translations: {} }] })}
                            disabled={perksOf(t).length >= 10}
                          >
                            Add perk
                          </Button>
                        </div>
                      </BlockStack>
                      <StorefrontLanguages
                        present={[
                          ...Object.keys(t.translations ?? {}),
                          ...perksOf(t).flatMap((p) => Object.keys(p.translations ?? {})),
                        ]}
                        language={language}
                        onLanguage={setLanguage}
                        translated={(l) => !!t.translations?.[l] || perksOf(t).some((p) => !!p.translations?.[l])}
                      >
                        <TranslatedName
                          translations={t.translations}
                          language={language}
                          onChange={(translations) => update(selected, { translations })}
                          errorAt={at}
                        />
                        {perksOf(t).map((perk, p) => (
                          <TextField
                            key={p}
                            label={`Perk ${p + 1} in ${languageName(language)}`}
                            autoComplete="off"
                            placeholder={perk.text}
                            value={perk.translations?.[language] ?? ""}
                            onChange={(text) => setPerkIn(selected, p, language, text)}
                            error={at(`perks.${p}.translations.${language}`)}
                          />
                        ))}
                      </StorefrontLanguages>
                      <InlineStack gap="200">
                        <Button variant="primary" submit loading={editor.saving} disabled={!editor.dirty}>
                          Save
                        </Button>
                        <Button
                          tone="critical"
                          onClick={() => {
                            setDoc({ ...doc, tiers: tiers.filter((_, j) => j !== selected) });
                            setSelected(null);
                          }}
                        >
                          {t.id ? "Archive" : "Remove"}
                        </Button>
                      </InlineStack>
                    </FormLayout>
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
