import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  Form,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { programPageAction } from "~/admin/program-action.server";
import { intOf, TagListField, useProgramEditor, type EditableProgram } from "~/components/program-editor";
import db from "~/db.server";
import { programDocument } from "~/models/program.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return programDocument(db, session.shop);
}

export const action = programPageAction;

/** An ISO instant as a datetime-local field shows it (the browser's time zone), and back. */
const localInput = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
};

const LAUNCH = [
  { label: "Draft — nobody earns, joins or redeems yet", value: "draft" },
  { label: "Pilot — only customers with the pilot tag", value: "pilot" },
  { label: "Live — everyone", value: "live" },
];

export default function ProgramPage() {
  const saved = useLoaderData<typeof loader>() as EditableProgram;
  const { doc, setDoc, errorAt, saveBar, banner, save, dirty, saving } = useProgramEditor(saved, { saveBarId: "program-save" });
  const set = (patch: Partial<EditableProgram>) => setDoc({ ...doc, ...patch });
  const num = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? "" : String(v));
  return (
    <Page
      title="Program"
      subtitle={`Version ${saved.version} · amounts in ${saved.currency}`}
      primaryAction={{ content: "Save", onAction: () => save(), disabled: !dirty, loading: saving }}
      secondaryActions={[{ content: "Version history", url: "/app/program/history" }]}
    >
      {saveBar}
      <BlockStack gap="400">
        {banner}
        {/* Enter in any field saves, like the save bar. */}
        <Form onSubmit={() => dirty && save()}>
          <Layout>
            <Layout.AnnotatedSection
              title="Launch"
              description="Try the club with a few tagged customers before opening it to everyone."
            >
              <Card>
                <FormLayout>
                  <Select
                    label="State"
                    options={LAUNCH}
                    value={doc.launch.state}
                    onChange={(state) => set({ launch: { ...doc.launch, state: state as "draft" | "pilot" | "live" } })}
                    error={errorAt("launch.state")}
                  />
                  <TextField
                    label="Pilot tag"
                    placeholder="For example: vip"
                    autoComplete="off"
                    value={doc.launch.pilotTag ?? ""}
                    onChange={(pilotTag) => set({ launch: { ...doc.launch, pilotTag } })}
                    helpText="Customers with this tag in Shopify take part in the pilot."
                    error={errorAt("launch.pilotTag")}
                  />
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
            <Layout.AnnotatedSection
              title="Earning"
              description="Points on the merchandise subtotal of paid orders, in whole units of shop currency."
            >
              <Card>
                <FormLayout>
                  <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                    <TextField
                      label="Points"
                      type="number"
                      autoComplete="off"
                      value={num(doc.earning.points)}
                      onChange={(v) => set({ earning: { ...doc.earning, points: intOf(v) as number } })}
                      error={errorAt("earning.points")}
                    />
                    <TextField
                      label={`For every (${saved.currency})`}
                      type="number"
                      autoComplete="off"
                      value={num(doc.earning.per)}
                      onChange={(v) => set({ earning: { ...doc.earning, per: intOf(v) as number } })}
                      error={errorAt("earning.per")}
                    />
                  </InlineGrid>
                  <TextField
                    label="Pending days"
                    type="number"
                    autoComplete="off"
                    value={num(doc.pendingDays)}
                    onChange={(v) => set({ pendingDays: intOf(v) as number })}
                    helpText="Points become spendable this many days after the order is paid (0: at once)."
                    error={errorAt("pendingDays")}
                  />
                  <TextField
                    label="Points expire after days without activity"
                    type="number"
                    autoComplete="off"
                    value={num(doc.expiry.inactiveDays)}
                    onChange={(v) => set({ expiry: { ...doc.expiry, inactiveDays: intOf(v) } })}
                    helpText="Leave empty: points never expire."
                    error={errorAt("expiry.inactiveDays")}
                  />
                  <TextField
                    label="Remind members this many days before their points expire"
                    type="number"
                    autoComplete="off"
                    disabled={doc.expiry.inactiveDays === null}
                    value={num(doc.expiry.reminderDays)}
                    onChange={(v) => set({ expiry: { ...doc.expiry, reminderDays: intOf(v) as number } })}
                    helpText="Fires the “points about to expire” Flow trigger and shows the date in the launcher."
                    error={errorAt("expiry.reminderDays")}
                  />
                  <TagListField
                    label="Products tagged with these earn no points"
                    tags={doc.earning.excludedProductTags ?? []}
                    onChange={(excludedProductTags) => set({ earning: { ...doc.earning, excludedProductTags } })}
                    helpText="Comma-separated product tags, e.g. clearance, sample. Gift cards never earn: points come when the card is spent."
                    error={errorAt("earning.excludedProductTags")}
                  />
                  <Checkbox
                    label="Enrol customers automatically on their first paid order"
                    checked={doc.earning.autoEnroll}
                    onChange={(autoEnroll) => set({ earning: { ...doc.earning, autoEnroll } })}
                  />
                  <Checkbox
                    label="Give spent points back when an order that used a reward is refunded in full"
                    checked={doc.returnSpentPointsOnRefund ?? false}
                    onChange={(returnSpentPointsOnRefund) => set({ returnSpentPointsOnRefund })}
                  />
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
            <Layout.AnnotatedSection title="Bonuses and referrals" description="0 turns a bonus off.">
              <Card>
                <FormLayout>
                  <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                    <TextField
                      label="Signup bonus (points)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.bonuses.signup)}
                      onChange={(v) => set({ bonuses: { ...doc.bonuses, signup: intOf(v) as number } })}
                      error={errorAt("bonuses.signup")}
                    />
                    <TextField
                      label="Birthday bonus (points)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.bonuses.birthday)}
                      onChange={(v) => set({ bonuses: { ...doc.bonuses, birthday: intOf(v) as number } })}
                      error={errorAt("bonuses.birthday")}
                    />
                    <Select
                      label="Birthday gift"
                      options={[
                        { label: "No gift", value: "" },
                        ...doc.rewards.filter((r) => r.id).map((r) => ({ label: r.name, value: r.id! })),
                      ]}
                      value={doc.bonuses.birthdayGift?.rewardId ?? ""}
                      onChange={(rewardId) =>
                        set({
                          bonuses: {
                            ...doc.bonuses,
                            birthdayGift: rewardId ? { rewardId, daysBefore: doc.bonuses.birthdayGift?.daysBefore ?? 7 } : null,
                          },
                        })
                      }
                      error={errorAt("bonuses.birthdayGift.rewardId")}
                      helpText="A reward given as a code before the birthday, once a year (besides the bonus points)."
                    />
                    <TextField
                      label="Gift's code comes (days before)"
                      type="number"
                      autoComplete="off"
                      disabled={!doc.bonuses.birthdayGift}
                      value={num(doc.bonuses.birthdayGift?.daysBefore ?? 0)}
                      onChange={(v) =>
                        doc.bonuses.birthdayGift &&
                        set({
                          bonuses: {
                            ...doc.bonuses,
                            birthdayGift: { ...doc.bonuses.birthdayGift, daysBefore: intOf(v) as number },
                          },
                        })
                      }
                      error={errorAt("bonuses.birthdayGift.daysBefore")}
                    />
                    <TextField
                      label="Anniversary bonus (points)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.bonuses.anniversary)}
                      onChange={(v) => set({ bonuses: { ...doc.bonuses, anniversary: intOf(v) as number } })}
                      helpText="Once a year on the day the member joined."
                      error={errorAt("bonuses.anniversary")}
                    />
                    <TextField
                      label="Referrer earns (points)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.referrals.referrerPoints)}
                      onChange={(v) => set({ referrals: { ...doc.referrals, referrerPoints: intOf(v) as number } })}
                      error={errorAt("referrals.referrerPoints")}
                    />
                    <TextField
                      label="Friend's discount (%)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.referrals.refereePercent)}
                      onChange={(v) => set({ referrals: { ...doc.referrals, refereePercent: intOf(v) as number } })}
                      error={errorAt("referrals.refereePercent")}
                    />
                  </InlineGrid>
                  <Text as="p" tone="subdued" variant="bodySm">
                    Orders already paid keep the points and rate of the version they earned under.
                  </Text>
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
            <Layout.AnnotatedSection
              title="Analytics"
              description="A holdout is a random share of customers never invited to the club: comparing members with them shows what the club adds."
            >
              <Card>
                <FormLayout>
                  <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                    <TextField
                      label="Holdout (% of customers)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.analytics?.holdoutPercent ?? 0)}
                      onChange={(v) =>
                        set({ analytics: { grossMarginPercent: 50, ...doc.analytics, holdoutPercent: intOf(v) as number } })
                      }
                      helpText="0 turns it off; 5 is usual. The same customers stay in it."
                      error={errorAt("analytics.holdoutPercent")}
                    />
                    <TextField
                      label="Gross margin (%)"
                      type="number"
                      autoComplete="off"
                      value={num(doc.analytics?.grossMarginPercent ?? 50)}
                      onChange={(v) =>
                        set({ analytics: { holdoutPercent: 0, ...doc.analytics, grossMarginPercent: intOf(v) as number } })
                      }
                      helpText="Your margin on sales, for the club's ROI."
                      error={errorAt("analytics.grossMarginPercent")}
                    />
                  </InlineGrid>
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
            <Layout.AnnotatedSection
              title="Campaigns"
              description="Double points (or any multiple) for orders paid between a start and an end, in your shop's time zone as your browser shows it."
            >
              <Card>
                <BlockStack gap="400">
                  {(doc.campaigns ?? []).length === 0 ? (
                    <Text as="p" tone="subdued">
                      No campaigns. Add one for a sale weekend or a launch.
                    </Text>
                  ) : null}
                  {(doc.campaigns ?? []).map((c, i) => {
                    const change = (patch: Partial<typeof c>) =>
                      set({ campaigns: (doc.campaigns ?? []).map((x, j) => (j === i ? { ...x, ...patch } : x)) });
                    return (
                      <BlockStack gap="200" key={i}>
                        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                          <TextField
                            label="Name"
                            autoComplete="off"
                            value={c.name}
                            onChange={(name) => change({ name })}
                            error={errorAt(`campaigns.${i}.name`)}
                          />
                          <TextField
                            label="Multiplier (%)"
                            type="number"
                            autoComplete="off"
                            value={num(c.multiplierPct)}
                            onChange={(v) => change({ multiplierPct: intOf(v) as number })}
                            helpText="200 = double points"
                            error={errorAt(`campaigns.${i}.multiplierPct`)}
                          />
                          <TextField
                            label="Starts"
                            type="datetime-local"
                            autoComplete="off"
                            value={localInput(c.startsAt)}
                            onChange={(v) => change({ startsAt: fromLocalInput(v) })}
                            error={errorAt(`campaigns.${i}.startsAt`)}
                          />
                          <TextField
                            label="Ends"
                            type="datetime-local"
                            autoComplete="off"
                            value={localInput(c.endsAt)}
                            onChange={(v) => change({ endsAt: fromLocalInput(v) })}
                            error={errorAt(`campaigns.${i}.endsAt`)}
                          />
                        </InlineGrid>
                        <InlineStack>
                          <Button
                            tone="critical"
                            variant="plain"
                            onClick={() => set({ campaigns: (doc.campaigns ?? []).filter((_, j) => j !== i) })}
                          >
                            Remove campaign
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    );
                  })}
                  <InlineStack>
                    <Button
                      onClick={() => {
                        const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
                        set({
                          campaigns: [
                            ...(doc.campaigns ?? []),
                            {
                              name: "Double points",
                              startsAt: start.toISOString(),
                              endsAt: new Date(start.getTime() + 3 * 86_400_000).toISOString(),
                              multiplierPct: 200,
                            },
                          ],
                        });
                      }}
                    >
                      Add campaign
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Layout.AnnotatedSection>
          </Layout>
        </Form>
      </BlockStack>
    </Page>
  );
}
