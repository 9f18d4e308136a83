// Seasonal draws: create one (the form's schema is POST /app/api/draws's), watch entries come in,
// run it after its end or cancel it (paid entries given back). docs/http.md "Seasonal draws".
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { SaveBar, useAppBridge } from "@shopify/app-bridge-react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  EmptyState,
  FormLayout,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import db from "~/db.server";
import { DrawInput } from "~/domain/draw-form";
import { fieldErrors, type FieldError } from "~/domain/program-document";
import { sentence } from "~/domain/wording";
import { cancelDraw, createDraw, drawDetail, DrawError, listDraws, runDraw } from "~/models/draws.server";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const selected = new URL(request.url).searchParams.get("draw");
  const [draws, rewards] = await Promise.all([
    listDraws(db, session.shop),
    db.reward.findMany({
      where: { shopId: session.shop, active: true },
      orderBy: { position: "asc" },
      select: { id: true, name: true },
    }),
  ]);
  const id = selected ?? draws[0]?.id;
  const detail = id ? await drawDetail(db, session.shop, id).catch(() => null) : null;
  return { draws, rewards, detail };
}

type ActionData = { ok?: string; errors?: FieldError[]; drawId?: string };

export async function action({ request }: ActionFunctionArgs): Promise<ActionData> {
  const { session, sessionToken, admin } = await authenticate.admin(request);
  const body = (await request.json()) as { intent?: string; drawId?: string; draw?: unknown };
  try {
    if (body.intent === "run") {
      await runDraw(db, async () => adminGraphqlClient(admin), session.shop, body.drawId ?? "");
      return { ok: "Draw run: winners drawn", drawId: body.drawId };
    }
    if (body.intent === "cancel") {
      const cancelled = await cancelDraw(db, session.shop, body.drawId ?? "");
      return { ok: `Draw cancelled: ${cancelled.refundedEntries} paid entries refunded`, drawId: body.drawId };
    }
  } catch (error) {
    if (error instanceof DrawError) return { errors: [{ path: "draw", message: error.message }] };
    throw error;
  }
  const parsed = DrawInput.safeParse(body.draw);
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  if (parsed.data.endsAt.getTime() <= Date.now())
    return { errors: [{ path: "endsAt", message: "the end must be in the future" }] };
  const draw = await createDraw(db, session.shop, String(sessionToken?.sub ?? "staff"), parsed.data);
  return { ok: "Draw created", drawId: draw.id };
}

const number = new Intl.NumberFormat("en");
const when = (iso: string) => new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
const STATE = { open: "info", drawn: "success", cancelled: undefined } as const;
const blank = () => ({
  name: "",
  endsAt: "",
  pointsPerEntry: "100",
  maxEntriesPerCustomer: "10",
  winners: "1",
  prizeRewardId: "",
});

export default function DrawsPage() {
  const { draws, rewards, detail } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<ActionData>();
  const shopify = useAppBridge();
  const revalidator = useRevalidator();
  const [, setSearch] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const dirty = creating && JSON.stringify(form) !== JSON.stringify(blank());
  const busy = fetcher.state !== "idle";
  const errorAt = (path: string) => {
    const message = errors.find((e) => e.path === path)?.message;
    return message === undefined ? undefined : sentence(message);
  };
  const set = (key: keyof ReturnType<typeof blank>) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.errors) return setErrors(fetcher.data.errors);
    setErrors([]);
    if (fetcher.data.ok) shopify.toast.show(fetcher.data.ok);
    if (fetcher.data.ok === "Draw created") {
      setCreating(false);
      setForm(blank());
    }
    if (fetcher.data.drawId) setSearch({ draw: fetcher.data.drawId });
  }, [fetcher.state, fetcher.data, shopify, setSearch]);

  // Entries as they come: an open draw's figures refresh while the page is open.
  useEffect(() => {
    if (detail?.state !== "open") return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 5_000);
    return () => clearInterval(timer);
  }, [detail?.state, revalidator]);

  const save = () => {
    const candidate = {
      name: form.name,
      endsAt: form.endsAt ? new Date(form.endsAt).toISOString() : "",
      pointsPerEntry: Number(form.pointsPerEntry),
      maxEntriesPerCustomer: Number(form.maxEntriesPerCustomer),
      winners: Number(form.winners),
      prizeRewardId: form.prizeRewardId || null,
    };
    const checked = DrawInput.safeParse(candidate);
    if (!checked.success) return setErrors(fieldErrors(checked.error));
    fetcher.submit({ intent: "create", draw: candidate }, { method: "post", encType: "application/json" });
  };
  const act = (intent: "run" | "cancel") =>
    fetcher.submit({ intent, drawId: detail?.id ?? "" }, { method: "post", encType: "application/json" });
  const drawError = errors.find((e) => e.path === "draw");

  const createCard = creating ? (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          New draw
        </Text>
        <FormLayout>
          <TextField label="Name" autoComplete="off" value={form.name} onChange={set("name")} error={errorAt("name")} />
          <TextField
            label="Entries close"
            type="datetime-local"
            autoComplete="off"
            value={form.endsAt}
            onChange={set("endsAt")}
            error={errorAt("endsAt")}
            helpText="In your browser's time zone. You run the draw after this."
          />
          <FormLayout.Group condensed>
            <TextField
              label="Points per entry"
              type="number"
              autoComplete="off"
              value={form.pointsPerEntry}
              onChange={set("pointsPerEntry")}
              error={errorAt("pointsPerEntry")}
            />
            <TextField
              label="Entries per customer"
              type="number"
              autoComplete="off"
              value={form.maxEntriesPerCustomer}
              onChange={set("maxEntriesPerCustomer")}
              error={errorAt("maxEntriesPerCustomer")}
              helpText="Including the free entry."
            />
            <TextField
              label="Winners"
              type="number"
              autoComplete="off"
              value={form.winners}
              onChange={set("winners")}
              error={errorAt("winners")}
            />
          </FormLayout.Group>
          <Select
            label="Prize"
            options={[
              { label: "No prize code (you hand out the prize)", value: "" },
              ...rewards.map((r) => ({ label: r.name, value: r.id })),
            ]}
            value={form.prizeRewardId}
            onChange={set("prizeRewardId")}
            error={errorAt("prizeRewardId")}
            helpText="Each winner gets this reward as a code in their rewards."
          />
        </FormLayout>
        <InlineStack gap="200">
          <Button variant="primary" onClick={save} loading={busy}>
            Create draw
          </Button>
          <Button onClick={() => (setCreating(false), setForm(blank()), setErrors([]))}>Discard</Button>
        </InlineStack>
      </BlockStack>
    </Card>
  ) : null;

  const list =
    draws.length === 0 ? (
      <Card>
        <EmptyState
          heading="Run a draw your members can check"
          action={{ content: "New draw", onAction: () => setCreating(true) }}
          image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
        >
          <p>Members enter with points or once for free; after it closes you draw the winners, and anyone can verify them.</p>
        </EmptyState>
      </Card>
    ) : (
      <Card padding="0">
        <IndexTable
          resourceName={{ singular: "draw", plural: "draws" }}
          itemCount={draws.length}
          selectable={false}
          headings={[
            { title: "Draw" },
            { title: "Entries close" },
            { title: "State" },
            { title: "Entrants", alignment: "end" },
            { title: "Tickets", alignment: "end" },
          ]}
        >
          {draws.map((d, i) => (
            <IndexTable.Row
              key={d.id}
              id={d.id}
              position={i}
              selected={detail?.id === d.id}
              onClick={() => setSearch({ draw: d.id })}
            >
              <IndexTable.Cell>
                <Text as="span" fontWeight="semibold">
                  {d.name}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>{when(d.endsAt)}</IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={STATE[d.state]}>{d.state}</Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {number.format(d.entrants)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {number.format(d.tickets)}
                </Text>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    );

  const ended = detail ? new Date(detail.endsAt).getTime() <= Date.now() : false;
  const selected = detail ? (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd" id="draw-title">
            {detail.name}
          </Text>
          {detail.state === "open" ? (
            <InlineStack gap="200">
              <Button onClick={() => act("cancel")} tone="critical" disabled={busy}>
                Cancel and refund
              </Button>
              <Button variant="primary" onClick={() => act("run")} disabled={!ended || busy}>
                {ended ? "Draw winners" : "Draw winners after the end"}
              </Button>
            </InlineStack>
          ) : null}
        </InlineStack>
        {drawError ? <Banner tone="critical">{sentence(drawError.message)}</Banner> : null}
        <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
          {(
            [
              ["Entrants", detail.entrants],
              ["Tickets", detail.tickets],
              ["Winners", detail.won.length || detail.winners],
            ] as const
          ).map(([label, value]) => (
            <BlockStack key={label} gap="100">
              <Text as="h3" variant="headingSm" tone="subdued">
                {label}
              </Text>
              <Text as="p" variant="headingLg">
                {number.format(value)}
              </Text>
            </BlockStack>
          ))}
        </InlineGrid>
        <BlockStack gap="100">
          <Text as="p" tone="subdued">
            Commitment (SHA-256 of the secret seed, public from the start)
          </Text>
          <Text as="p" breakWord>
            <code>{detail.commitment}</code>
          </Text>
          {detail.seed ? (
            <>
              <Text as="p" tone="subdued">
                Seed (revealed by the run)
              </Text>
              <Text as="p" breakWord>
                <code>{detail.seed}</code>
              </Text>
            </>
          ) : null}
        </BlockStack>
        {detail.won.length > 0 ? (
          <DataTable
            columnContentTypes={["text", "numeric"]}
            headings={["Winner (customer)", "Ticket"]}
            rows={detail.won.map((w) => [w.customerId, number.format(w.ticket)])}
          />
        ) : null}
        <Text as="h3" variant="headingSm">
          Latest entries
        </Text>
        {detail.entries.length === 0 ? (
          <Text as="p" tone="subdued">
            No entries yet. Members enter from the storefront launcher.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "text"]}
            headings={["Customer", "Entries", "Points", "When"]}
            rows={detail.entries.map((e) => [
              e.customerId,
              `${e.entries}${e.free ? " (free)" : ""}`,
              number.format(e.pointsSpent),
              when(e.createdAt),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  ) : null;

  return (
    <Page title="Draws" primaryAction={{ content: "New draw", onAction: () => setCreating(true), disabled: creating }}>
      <SaveBar id="draw-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={busy}>
          Create draw
        </button>
        <button onClick={() => (setCreating(false), setForm(blank()), setErrors([]))}>Discard</button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {createCard}
            {list}
            {selected}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Before you run a draw
              </Text>
              <List>
                <List.Item>
                  Publish official rules: who may enter, dates, the prize and its value, how winners are picked and told.
                </List.Item>
                <List.Item>
                  Every draw has one free entry per customer with the same odds as a paid one (&ldquo;no purchase
                  necessary&rdquo;), which sweepstakes rules in many places require.
                </List.Item>
                <List.Item>
                  Prize limits: in the US, New York and Florida require registration and a bond when prizes exceed $5,000 in total
                  (Rhode Island: $500 for retail promotions). Check the rules where your customers live.
                </List.Item>
                <List.Item>
                  Fair by design: the seed&rsquo;s SHA-256 is shown from the start; the run reveals the seed and the tickets, so
                  anyone can recompute the winners.
                </List.Item>
              </List>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
