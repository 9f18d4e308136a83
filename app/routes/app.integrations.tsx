// Integrations: the merchant's webhook endpoints (events chosen, deliveries with their status and
// a Resend), and developer API keys. The same model functions answer /app/api/webhook-endpoints,
// /app/api/webhook-deliveries and /app/api/api-keys; the forms share those routes' zod schemas.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  ChoiceList,
  DataTable,
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
import { fieldErrors } from "~/domain/program-document";
import { ApiKeyInput, WEBHOOK_EVENTS, WebhookEndpointInput } from "~/domain/webhook-events";
import { createApiKey, listApiKeys, revokeApiKey } from "~/models/api-keys.server";
import {
  createEndpoint,
  deleteEndpoint,
  EndpointError,
  listDeliveries,
  listEndpoints,
  resendDelivery,
  resumeEndpoint,
} from "~/models/webhook-endpoints.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [endpoints, deliveries, keys] = await Promise.all([
    listEndpoints(db, session.shop),
    listDeliveries(db, session.shop, { limit: 25 }),
    listApiKeys(db, session.shop),
  ]);
  return { endpoints, deliveries, keys };
}

type ActionAnswer = { ok: true; message: string; secret?: string; key?: string } | { ok: false; errors: Record<string, string> };

export async function action({ request }: ActionFunctionArgs): Promise<ActionAnswer> {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = await request.formData();
  const id = String(form.get("id") ?? "");
  switch (form.get("intent")) {
    case "create-endpoint": {
      const parsed = WebhookEndpointInput.safeParse({ url: form.get("url"), events: form.getAll("events") });
      if (!parsed.success)
        return { ok: false, errors: Object.fromEntries(fieldErrors(parsed.error).map((e) => [e.path.split(".")[0], e.message])) };
      try {
        const created = await createEndpoint(db, shop, parsed.data);
        return { ok: true, message: "Endpoint added", secret: created.secret };
      } catch (error) {
        if (error instanceof EndpointError)
          return { ok: false, errors: { url: `The address ${error.message.replace(/^url /, "")}.` } };
        throw error;
      }
    }
    case "delete-endpoint":
      await deleteEndpoint(db, shop, id);
      return { ok: true, message: "Endpoint removed" };
    case "resume-endpoint":
      await resumeEndpoint(db, shop, id);
      return { ok: true, message: "Endpoint resumed" };
    case "resend":
      return (await resendDelivery(db, shop, Number(id)))
        ? { ok: true, message: "Sending again" }
        : { ok: false, errors: { resend: "That delivery is gone." } };
    case "create-key": {
      const parsed = ApiKeyInput.safeParse({ name: form.get("name"), access: form.get("access") });
      if (!parsed.success)
        return { ok: false, errors: Object.fromEntries(fieldErrors(parsed.error).map((e) => [e.path, e.message])) };
      const created = await createApiKey(db, shop, parsed.data);
      return { ok: true, message: "API key created", key: created.key };
    }
    case "revoke-key":
      await revokeApiKey(db, shop, id);
      return { ok: true, message: "API key revoked" };
    default:
      return { ok: false, errors: { intent: "Unknown action." } };
  }
}

const time = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }) : "—";
const DELIVERY = {
  delivered: { label: "Delivered", tone: "success" },
  pending: { label: "Retrying", tone: "attention" },
  failed: { label: "Failed", tone: "critical" },
} as const;

/** A toast once an action of this fetcher succeeded. */
function useToast(fetcher: { state: string; data?: ActionAnswer }) {
  const shopify = useAppBridge();
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) shopify.toast.show(fetcher.data.message);
  }, [fetcher.state, fetcher.data, shopify]);
}

function Shown({ label, value }: { label: string; value: string }) {
  return (
    <Banner tone="warning" title={`Copy your ${label} now`}>
      <BlockStack gap="200">
        <p>It is shown only this once. Store it where your tool keeps secrets.</p>
        <Box background="bg-surface-secondary" padding="200" borderRadius="200">
          <Text as="p" fontWeight="semibold" breakWord>
            <code>{value}</code>
          </Text>
        </Box>
      </BlockStack>
    </Banner>
  );
}

export default function IntegrationsPage() {
  const { endpoints, deliveries, keys } = useLoaderData<typeof loader>();
  const endpointForm = useFetcher<typeof action>();
  const keyForm = useFetcher<typeof action>();
  const row = useFetcher<typeof action>();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["*"]);
  const [name, setName] = useState("");
  const [access, setAccess] = useState("read");

  useToast(endpointForm);
  useToast(keyForm);
  useToast(row);
  useEffect(() => {
    if (endpointForm.state === "idle" && endpointForm.data?.ok) setUrl("");
  }, [endpointForm.state, endpointForm.data]);
  useEffect(() => {
    if (keyForm.state === "idle" && keyForm.data?.ok) setName("");
  }, [keyForm.state, keyForm.data]);
  const endpointErrors = endpointForm.data && !endpointForm.data.ok ? endpointForm.data.errors : {};
  const keyErrors = keyForm.data && !keyForm.data.ok ? keyForm.data.errors : {};
  const paused = endpoints.filter((e) => e.paused);

  return (
    <Page title="Integrations" subtitle="Send loyalty events to your CRM and tools, and let them read and adjust members.">
      <BlockStack gap="500">
        {paused.length > 0 ? (
          <Banner tone="critical" title={`${paused.length === 1 ? "An endpoint is" : `${paused.length} endpoints are`} paused`}>
            <p>
              It failed for a day, so nothing more is sent to it. Fix the receiver, then resume it: what waited goes out then.
            </p>
          </Banner>
        ) : null}
        <Layout>
          <Layout.AnnotatedSection
            title="Webhook endpoints"
            description="Each event is POSTed as JSON, signed with the endpoint's secret (Loyalty-Signature: t=…,v1=…), and retried for a day until your endpoint answers 2xx."
          >
            <BlockStack gap="400">
              <Card>
                <endpointForm.Form method="post">
                  <input type="hidden" name="intent" value="create-endpoint" />
                  {events.map((e) => (
                    <input key={e} type="hidden" name="events" value={e} />
                  ))}
                  <FormLayout>
                    {endpointForm.data?.ok && endpointForm.data.secret ? (
                      <Shown label="signing secret" value={endpointForm.data.secret} />
                    ) : null}
                    <TextField
                      label="Endpoint URL"
                      name="url"
                      value={url}
                      onChange={setUrl}
                      placeholder="https://crm.example.com/hooks/loyalty"
                      autoComplete="off"
                      error={endpointErrors.url}
                      helpText="https to a public address. Redirects are not followed."
                    />
                    <ChoiceList
                      allowMultiple
                      title="Events"
                      choices={[
                        { label: "All events", value: "*" },
                        ...WEBHOOK_EVENTS.map((e) => ({ label: e, value: e, disabled: events.includes("*") })),
                      ]}
                      selected={events}
                      onChange={(next) => setEvents(next.includes("*") && !events.includes("*") ? ["*"] : next)}
                      error={endpointErrors.events}
                    />
                    <InlineStack align="end">
                      <Button submit variant="primary" loading={endpointForm.state !== "idle"}>
                        Add endpoint
                      </Button>
                    </InlineStack>
                  </FormLayout>
                </endpointForm.Form>
              </Card>
              <Card padding="0">
                {endpoints.length === 0 ? (
                  <Box padding="400">
                    <BlockStack gap="100">
                      <Text as="h3" variant="headingSm">
                        No endpoints yet
                      </Text>
                      <Text as="p" tone="subdued">
                        Add your CRM&apos;s webhook URL above to receive points, rewards and tier changes as they happen.
                      </Text>
                    </BlockStack>
                  </Box>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "text"]}
                    headings={["URL", "Events", "Status", ""]}
                    rows={endpoints.map((e) => [
                      <Text as="span" key="u" breakWord>
                        {e.url}
                      </Text>,
                      e.events.includes("*") ? "All events" : e.events.join(", "),
                      e.paused ? (
                        <Badge key="s" tone="critical">
                          Paused
                        </Badge>
                      ) : e.failingSince ? (
                        <Badge key="s" tone="warning">
                          Failing
                        </Badge>
                      ) : (
                        <Badge key="s" tone="success">
                          Active
                        </Badge>
                      ),
                      <InlineStack key="a" gap="200" wrap={false}>
                        {e.paused ? (
                          <Button
                            size="slim"
                            onClick={() => row.submit({ intent: "resume-endpoint", id: e.id }, { method: "post" })}
                          >
                            Resume
                          </Button>
                        ) : null}
                        <Button
                          size="slim"
                          tone="critical"
                          variant="plain"
                          onClick={() => row.submit({ intent: "delete-endpoint", id: e.id }, { method: "post" })}
                        >
                          Remove
                        </Button>
                      </InlineStack>,
                    ])}
                  />
                )}
              </Card>
            </BlockStack>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            title="Deliveries"
            description="The latest events sent to your endpoints. Resend sends the same event (same id and body) again."
          >
            <Card padding="0">
              {deliveries.length === 0 ? (
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    Nothing sent yet. Deliveries appear here as members earn, spend and change tier.
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text"]}
                  headings={["Event", "Status", "Attempts", "Last answer", ""]}
                  rows={deliveries.map((d) => [
                    <BlockStack key="e" gap="050">
                      <Text as="span" fontWeight="medium">
                        {d.type ?? "—"}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {d.eventId} · {time(d.createdAt)}
                      </Text>
                    </BlockStack>,
                    <Badge key="s" tone={DELIVERY[d.status as keyof typeof DELIVERY]?.tone}>
                      {DELIVERY[d.status as keyof typeof DELIVERY]?.label ?? d.status}
                    </Badge>,
                    d.attempts,
                    d.lastStatus ? `HTTP ${d.lastStatus}` : (d.lastError ?? "—"),
                    <Button
                      key="r"
                      size="slim"
                      onClick={() => row.submit({ intent: "resend", id: String(d.id) }, { method: "post" })}
                    >
                      Resend
                    </Button>,
                  ])}
                />
              )}
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            title="API keys"
            description="For your CRM or scripts: /api/v1/members with Authorization: Bearer <key>. Read keys list members; write keys also adjust points. Up to 10 requests a second per key."
          >
            <BlockStack gap="400">
              <Card>
                <keyForm.Form method="post">
                  <input type="hidden" name="intent" value="create-key" />
                  <FormLayout>
                    {keyForm.data?.ok && keyForm.data.key ? <Shown label="API key" value={keyForm.data.key} /> : null}
                    <FormLayout.Group>
                      <TextField
                        label="Name"
                        name="name"
                        value={name}
                        onChange={setName}
                        placeholder="Klaviyo sync"
                        autoComplete="off"
                        error={keyErrors.name}
                      />
                      <Select
                        label="Access"
                        name="access"
                        options={[
                          { label: "Read", value: "read" },
                          { label: "Read and write", value: "write" },
                        ]}
                        value={access}
                        onChange={setAccess}
                      />
                    </FormLayout.Group>
                    <InlineStack align="end">
                      <Button submit variant="primary" loading={keyForm.state !== "idle"}>
                        Create key
                      </Button>
                    </InlineStack>
                  </FormLayout>
                </keyForm.Form>
              </Card>
              <Card padding="0">
                {keys.length === 0 ? (
                  <Box padding="400">
                    <Text as="p" tone="subdued">
                      No API keys yet.
                    </Text>
                  </Box>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "text", "text"]}
                    headings={["Name", "Access", "Key", "Last used", ""]}
                    rows={keys.map((k) => [
                      k.name,
                      k.access === "write" ? "Read and write" : "Read",
                      <code key="p">{k.prefix}…</code>,
                      k.revoked ? <Badge key="l">Revoked</Badge> : time(k.lastUsedAt),
                      k.revoked ? (
                        ""
                      ) : (
                        <Button
                          key="r"
                          size="slim"
                          tone="critical"
                          variant="plain"
                          onClick={() => row.submit({ intent: "revoke-key", id: k.id }, { method: "post" })}
                        >
                          Revoke
                        </Button>
                      ),
                    ])}
                  />
                )}
              </Card>
            </BlockStack>
          </Layout.AnnotatedSection>
        </Layout>
      </BlockStack>
    </Page>
  );
}
