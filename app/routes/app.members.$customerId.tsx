import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
  useBreakpoints,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { tierTagsMayHaveChanged } from "~/admin/tier-tags.server";
import db from "~/db.server";
import { Adjustment, fieldErrors, type FieldError } from "~/domain/program-document";
import { actorLabel, sentence } from "~/domain/wording";
import { AdminInputError, adjustPoints, memberDetail, setExclusion } from "~/models/member-admin.server";
import { Exclusion } from "~/domain/member-list";
import { authenticate } from "~/shopify.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const member = await memberDetail(db, session.shop, params.customerId ?? "");
  if (!member) throw new Response("No such member", { status: 404 });
  return member;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") === "exclusion") {
    const parsed = Exclusion.safeParse({ excluded: form.get("excluded") === "true" });
    if (!parsed.success) return { errors: fieldErrors(parsed.error) };
    try {
      const excluded = await setExclusion(
        db,
        session.shop,
        params.customerId ?? "",
        parsed.data.excluded,
        String(sessionToken?.sub ?? "staff"),
      );
      return { excluded };
    } catch (error) {
      if (error instanceof AdminInputError) return { errors: error.errors };
      throw error;
    }
  }
  const parsed = Adjustment.safeParse({
    points: /^-?\d+$/.test(String(form.get("points") ?? "").trim()) ? Number(form.get("points")) : NaN,
    reason: form.get("reason"),
    idempotencyKey: form.get("idempotencyKey"),
  });
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  try {
    const entry = await adjustPoints(db, session.shop, params.customerId ?? "", {
      ...parsed.data,
      actor: String(sessionToken?.sub ?? "staff"),
    });
    await tierTagsMayHaveChanged(session.shop, { customerId: params.customerId });
    return { entry };
  } catch (error) {
    if (error instanceof AdminInputError) return { errors: error.errors };
    throw error;
  }
}

const number = new Intl.NumberFormat("en");

export default function MemberPage() {
  const member = useLoaderData<typeof loader>();
  const fetcher = useFetcher<{ entry?: unknown; errors?: FieldError[] }>();
  const exclusion = useFetcher<{ excluded?: { at: string; by: string } | null; errors?: FieldError[] }>();
  const shopify = useAppBridge();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  // One key per intended adjustment: a double click or a retry posts it once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const { smDown } = useBreakpoints();
  const errorAt = (path: string) => {
    const message = fetcher.data?.errors?.find((e) => e.path === path)?.message;
    return message === undefined ? undefined : sentence(message);
  };
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.entry) {
      shopify.toast.show("Points adjusted");
      setPoints("");
      setReason("");
      setKey(crypto.randomUUID());
    }
  }, [fetcher.state, fetcher.data, shopify]);
  useEffect(() => {
    if (exclusion.state === "idle" && exclusion.data && "excluded" in exclusion.data)
      shopify.toast.show(exclusion.data.excluded ? "Excluded from the club" : "Back in the club");
  }, [exclusion.state, exclusion.data, shopify]);

  const membership = (
    <Card>
      <exclusion.Form method="post">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Club membership
          </Text>
          <input type="hidden" name="intent" value="exclusion" />
          <input type="hidden" name="excluded" value={member.excluded ? "false" : "true"} />
          {member.excluded ? (
            <Text as="p" id="member-exclusion">
              Excluded on {new Date(member.excluded.at).toLocaleDateString("en", { dateStyle: "medium" })} by{" "}
              {actorLabel(member.excluded.by)}. They earn, join and redeem nothing; their points stay as they are.
            </Text>
          ) : (
            <Text as="p" tone="subdued" id="member-exclusion">
              {member.state === "opted_out"
                ? "They opted out of the club themselves."
                : "Taking part. Excluding them stops earning and redeeming; their points stay."}
            </Text>
          )}
          <InlineStack>
            <Button submit tone={member.excluded ? undefined : "critical"} loading={exclusion.state !== "idle"}>
              {member.excluded ? "Let back in" : "Exclude from the club"}
            </Button>
          </InlineStack>
        </BlockStack>
      </exclusion.Form>
    </Card>
  );

  // On a phone the form comes right after the balance: the history below it can be long.
  const adjust = (
    <Card>
      <fetcher.Form method="post">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Adjust points
          </Text>
          <FormLayout>
            <input type="hidden" name="idempotencyKey" value={key} />
            <TextField
              label="Points"
              name="points"
              type="number"
              autoComplete="off"
              value={points}
              onChange={setPoints}
              helpText="Negative to take points away."
              error={errorAt("points")}
            />
            <TextField
              label="Reason"
              name="reason"
              autoComplete="off"
              value={reason}
              onChange={setReason}
              helpText="Shown in the member's history."
              error={errorAt("reason") ?? errorAt("idempotencyKey")}
            />
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              Adjust
            </Button>
          </FormLayout>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );

  return (
    <Page
      title={member.name ?? member.email ?? `Customer ${member.customerId}`}
      subtitle={`${member.name && member.email ? `${member.email} · ` : ""}Customer ${member.customerId} · member since ${new Date(member.enrolledAt).toLocaleDateString("en", { dateStyle: "medium" })}`}
      backAction={{ content: "Members", url: "/app/members" }}
      titleMetadata={
        member.excluded ? (
          <Badge tone="critical">Excluded</Badge>
        ) : member.tier ? (
          <Badge tone="info">{member.tier}</Badge>
        ) : undefined
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <InlineGrid columns={3} gap="300">
              {(
                [
                  ["Available", member.points.available, "member-available"],
                  ["Pending", member.points.pending, "member-pending"],
                  ["Lifetime", member.points.lifetime, "member-lifetime"],
                ] as const
              ).map(([label, value, id]) => (
                <Card key={label}>
                  <Text as="h3" variant="headingSm" tone="subdued">
                    {label}
                  </Text>
                  <Text as="p" variant="headingXl" id={id}>
                    {number.format(value)}
                  </Text>
                </Card>
              ))}
            </InlineGrid>
            {smDown ? adjust : null}
            <Card padding="0">
              <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
                <Text as="h2" variant="headingMd">
                  History
                </Text>
              </div>
              {member.history.length === 0 ? (
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="p" tone="subdued">
                    No points yet.
                  </Text>
                </div>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text"]}
                  headings={["When", "What", "Points", "By"]}
                  rows={member.history.map((e) => [
                    new Date(e.createdAt).toLocaleString(
                      "en",
                      smDown ? { dateStyle: "short" } : { dateStyle: "medium", timeStyle: "short" },
                    ),
                    <span key={e.id}>
                      {e.reason} {e.status === "pending" ? <Badge tone="attention">Pending</Badge> : null}
                    </span>,
                    (e.points > 0 ? "+" : "") + number.format(e.points),
                    actorLabel(e.actor),
                  ])}
                />
              )}
            </Card>
          </BlockStack>
        </Layout.Section>
        {smDown ? (
          <Layout.Section>{membership}</Layout.Section>
        ) : (
          <Layout.Section variant="oneThird">
            <BlockStack gap="400">
              {adjust}
              {membership}
            </BlockStack>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
