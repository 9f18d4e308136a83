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
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { programPageAction } from "~/admin/program-action.server";
import { intOf, useProgramEditor, type EditableProgram } from "~/components/program-editor";
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
  const add = () => {
    const top = tiers.reduce((m, t) => Math.max(m, Number(t.thresholdPoints) || 0), 0);
    setDoc({ ...doc, tiers: [...tiers, { name: "", thresholdPoints: top + 1000, earnMultiplierPct: 100 }] });
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
      subtitle="Members move up by lifetime points; a higher tier can earn faster."
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
        <Layout>
          <Layout.Section>
            <Card padding="0">
              {tiers.length === 0 ? (
                <EmptyState heading="No tiers" action={{ content: "Add tier", onAction: add }} image="">
                  <p>Tiers reward your best customers: for example Silver from 1,000 lifetime points, earning 10% more.</p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: "tier", plural: "tiers" }}
                  itemCount={tiers.length}
                  selectable={false}
                  headings={[
                    { title: "Tier" },
                    { title: "From (lifetime points)", alignment: "end" },
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
                          {Number.isFinite(tier.thresholdPoints) ? number.format(tier.thresholdPoints) : "—"}
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
                      <TextField
                        label="From lifetime points"
                        type="number"
                        autoComplete="off"
                        value={value(t.thresholdPoints)}
                        onChange={(v) => update(selected, { thresholdPoints: intOf(v) as number })}
                        error={at("thresholdPoints")}
                      />
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
