// The admin home's setup guide: each step says what it is for and offers the one action that
// does it — a page of the app, the theme editor (through App Bridge, in the admin's own window),
// or, for the pilot and the launch, the change itself right here.
import { Form, useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import type { LaunchState } from "~/domain/program";
import { SETUP_STEPS, type SetupStep } from "~/domain/setup";
import { count } from "~/domain/wording";

export interface SetupGuideData {
  dismissed: boolean;
  done: Record<SetupStep, boolean>;
  launch: { state: LaunchState; pilotTag: string };
}

export interface GuideAnswer {
  ok: boolean;
  step?: string;
  message?: string;
  errors?: Array<{ path: string; message: string }>;
}

const STEPS: Record<SetupStep, { title: string; text: string; url?: string; action?: string }> = {
  program: {
    title: "Set how members earn",
    text: "Points per order, pending days, expiry, bonuses.",
    url: "/app/program",
    action: "Review program",
  },
  rewards: {
    title: "Add rewards",
    text: "What points buy: amounts off, free shipping, a free product.",
    url: "/app/rewards",
    action: "Add a reward",
  },
  tiers: { title: "Add VIP tiers", text: "Let your best customers earn faster.", url: "/app/tiers", action: "Add tiers" },
  members: {
    title: "Bring your members",
    text: "Import balances from a file, for example from an earlier program.",
    url: "/app/import-export",
    action: "Import members",
  },
  embed: {
    title: "Switch on the storefront launcher",
    text:
      "Opens your theme editor with the Loyalty Club launcher turned on in App embeds. Save the theme there. " +
      "For checkout, add the Loyalty Club blocks in the checkout editor: the thank-you and order status pages and " +
      "customer accounts take them on every plan; the information, shipping and payment steps need Shopify Plus.",
  },
  pilot: {
    title: "Try it with your best customers first",
    text: "Only customers with the tag you choose can join and earn while you try the club.",
  },
  launch: { title: "Go live", text: "Open the club to every customer." },
};

function StepMark({ done }: { done: boolean }) {
  return (
    <span className="lc-step-mark" data-done={done} aria-hidden="true">
      ✓
    </span>
  );
}

export function SetupGuide({ guide, embedLink }: { guide: SetupGuideData; embedLink: string }) {
  const fetcher = useFetcher<GuideAnswer>({ key: "setup-guide" });
  const done = SETUP_STEPS.filter((s) => guide.done[s]).length;
  // One step open at a time: the first one left to do, or the one the merchant opens.
  const next = SETUP_STEPS.find((s) => !guide.done[s]) ?? null;
  const [open, setOpen] = useState<SetupStep | null>(next);
  useEffect(() => setOpen(next), [next]);
  const mark = (value: string) => fetcher.submit({ mark: value }, { method: "post" });
  const busy = (intent: string) => fetcher.state !== "idle" && fetcher.formData?.get("intent") === intent;

  const actions: Partial<Record<SetupStep, ReactNode>> = {
    embed: (
      <Button
        onClick={() => {
          // App Bridge takes the admin's own window to the theme editor (the app's frame cannot).
          window.open(embedLink, "_top");
        }}
      >
        Open theme editor
      </Button>
    ),
  };

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Set up your club
          </Text>
          <Button variant="plain" onClick={() => mark("dismissed")} accessibilityLabel="Dismiss the setup guide">
            Dismiss
          </Button>
        </InlineStack>
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <Text as="span" tone="subdued">
            {done} of {count(SETUP_STEPS.length, "step")} done
          </Text>
          <div style={{ flex: 1, maxWidth: 240 }}>
            <ProgressBar progress={(done / SETUP_STEPS.length) * 100} size="small" tone="success" />
          </div>
        </InlineStack>
        <BlockStack gap="200" as="ol">
          {SETUP_STEPS.map((step) => {
            const isDone = guide.done[step];
            const info = STEPS[step];
            const expanded = open === step;
            return (
              <li key={step} style={{ listStyle: "none" }} id={`setup-${step}`}>
                <InlineStack gap="300" blockAlign="start" wrap={false}>
                  <Box paddingBlockStart="050">
                    <StepMark done={isDone} />
                  </Box>
                  <div style={{ flex: 1, minWidth: 0 }}>
                    <BlockStack gap="200">
                      <InlineStack align="space-between" blockAlign="start" gap="200" wrap={false}>
                        <BlockStack>
                          <Text as="h3" fontWeight="semibold">
                            <button
                              type="button"
                              className="lc-step-toggle"
                              aria-expanded={expanded}
                              aria-controls={`setup-${step}-body`}
                              onClick={() => setOpen(expanded ? null : step)}
                            >
                              {info.title}
                              <Text as="span" visuallyHidden>
                                {isDone ? " (done)" : " (to do)"}
                              </Text>
                            </button>
                          </Text>
                          {expanded ? (
                            <Text as="p" tone="subdued" variant="bodySm" id={`setup-${step}-body`}>
                              {step === "pilot" && guide.launch.state === "pilot"
                                ? `Customers tagged “${guide.launch.pilotTag}” are trying the club.`
                                : step === "launch" && !isDone && guide.launch.state === "live"
                                  ? "The club is already open to every customer."
                                  : info.text}
                            </Text>
                          ) : null}
                        </BlockStack>
                        {isDone ? <Badge tone="success">Done</Badge> : null}
                      </InlineStack>
                      {expanded && !isDone && step === "pilot" ? (
                        <PilotForm
                          current={guide.launch.pilotTag}
                          busy={busy("pilot")}
                          error={fetcher.data?.step === "pilot" ? fetcher.data.errors?.[0]?.message : undefined}
                          submit={(tag) => fetcher.submit({ intent: "pilot", tag }, { method: "post" })}
                        />
                      ) : null}
                      {expanded && !isDone ? (
                        <InlineStack gap="300" blockAlign="center">
                          {step === "launch" && guide.launch.state !== "live" ? (
                            <Button
                              variant="primary"
                              loading={busy("live")}
                              onClick={() => fetcher.submit({ intent: "live" }, { method: "post" })}
                            >
                              Go live
                            </Button>
                          ) : null}
                          {actions[step] ??
                            (info.url ? (
                              <Button url={info.url} variant="secondary">
                                {info.action}
                              </Button>
                            ) : null)}
                          {step === "pilot" ? (
                            <Button variant="plain" onClick={() => mark(step)}>
                              Skip the pilot
                            </Button>
                          ) : step !== "launch" || guide.launch.state === "live" ? (
                            <Button variant="plain" onClick={() => mark(step)}>
                              Mark as done
                            </Button>
                          ) : null}
                        </InlineStack>
                      ) : null}
                    </BlockStack>
                  </div>
                </InlineStack>
              </li>
            );
          })}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

function PilotForm({
  current,
  busy,
  error,
  submit,
}: {
  current: string;
  busy: boolean;
  error?: string;
  submit: (tag: string) => void;
}) {
  const [tag, setTag] = useState(current);
  // The refusal is about what was sent: it goes once the merchant changes the tag.
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => setTag(current), [current]);
  // The tags the shop's customers carry, asked of Shopify when the step is open (App Bridge adds
  // the session token); without them the field still works.
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    fetch("/app/api/customer-tags")
      .then((res) => (res.ok ? res.json() : { tags: [] }))
      .then((body: { tags?: string[] }) => live && setTags(body.tags ?? []))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return (
    <Form
      method="post"
      onSubmit={(event) => {
        event.preventDefault();
        setSent(tag);
        submit(tag);
      }}
    >
      <BlockStack gap="200">
        <div style={{ maxWidth: 420 }}>
          <TextField
            label="Customer tag"
            name="tag"
            autoComplete="off"
            value={tag}
            onChange={setTag}
            placeholder="For example: vip"
            error={sent === tag ? error : undefined}
            connectedRight={
              <Button submit loading={busy}>
                Start pilot
              </Button>
            }
          />
        </div>
        {tags.length > 0 ? (
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="bodySm" tone="subdued">
              Your customers’ tags:
            </Text>
            {tags.slice(0, 8).map((t) => (
              <Button key={t} size="slim" pressed={t === tag} onClick={() => setTag(t)} accessibilityLabel={`Use the tag ${t}`}>
                {t}
              </Button>
            ))}
          </InlineStack>
        ) : null}
      </BlockStack>
    </Form>
  );
}
