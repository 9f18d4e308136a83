import type { LoaderFunctionArgs } from "@remix-run/node";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Card, DataTable, DropZone, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { count, sentence } from "~/domain/wording";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  return null;
}

interface Report {
  rows: number;
  valid: number;
  applied?: number;
  errors: Array<{ row: number; message: string }>;
}

// The page uses the admin API itself: App Bridge adds the session token to these fetches.
async function download(path: string, filename: string) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`export failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

export default function ImportExportPage() {
  const shopify = useAppBridge();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      const res = await fetch(`/app/import/members${dryRun ? "?dryRun=1" : ""}`, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: file.text,
      });
      const body = await res.json();
      if (!res.ok) {
        setReport(null);
        setProblem(
          (body.errors ?? []).map((e: { message: string }) => sentence(e.message)).join(" ") ||
            `The import failed (${res.status}).`,
        );
        return;
      }
      setReport(body);
      if (!dryRun) {
        shopify.toast.show(`${count(body.applied, "row")} imported`);
        setFile(null);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Import and export">
      <Layout>
        <Layout.AnnotatedSection
          title="Import members"
          description="A CSV with the columns email and points (optional: customer_id, tier). Each row adds its points; importing the same file again adds nothing more."
        >
          <Card>
            <BlockStack gap="300">
              <DropZone
                accept=".csv,text/csv"
                allowMultiple={false}
                label="Members file"
                onDrop={async (files: File[]) => {
                  const f = files[0];
                  if (!f) return;
                  setReport(null);
                  setFile({ name: f.name, text: await f.text() });
                }}
              >
                {file ? (
                  <div style={{ padding: "var(--p-space-400)" }}>
                    <Text as="p" fontWeight="semibold">
                      {file.name}
                    </Text>
                  </div>
                ) : (
                  <DropZone.FileUpload actionHint="Accepts .csv" />
                )}
              </DropZone>
              {problem ? (
                <Banner tone="critical" title="This file cannot be imported">
                  <p>{problem}</p>
                </Banner>
              ) : null}
              {report ? (
                <BlockStack gap="200">
                  <Text as="p" id="import-summary">
                    {report.applied !== undefined && report.applied > 0
                      ? `Imported ${report.applied} of ${count(report.rows, "row")}.`
                      : report.rows === 0
                        ? "The file has no rows after its header."
                        : `${report.valid} of ${count(report.rows, "row")} can be imported.`}
                  </Text>
                  {report.errors.length > 0 ? (
                    <DataTable
                      columnContentTypes={["numeric", "text"]}
                      headings={["Row", "Problem"]}
                      rows={report.errors.slice(0, 100).map((e) => [e.row, sentence(e.message)])}
                      footerContent={
                        report.errors.length > 100 ? `and ${count(report.errors.length - 100, "more problem")}` : undefined
                      }
                    />
                  ) : null}
                </BlockStack>
              ) : null}
              <InlineStack gap="200">
                <Button onClick={() => send(true)} disabled={!file} loading={busy && !report}>
                  Check file
                </Button>
                <Button
                  variant="primary"
                  onClick={() => send(false)}
                  disabled={!file || !report || report.valid === 0}
                  loading={busy}
                >
                  {report ? `Import ${count(report.valid, "row")}` : "Import"}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Export"
          description="Members with their balances and tiers, or the whole program to set up another shop."
        >
          <Card>
            <InlineStack gap="200">
              <Button onClick={() => download("/app/export/members.csv", "loyalty-members.csv")}>Export members (CSV)</Button>
              <Button onClick={() => download("/app/export/program.json", "loyalty-program.json")}>Export program (JSON)</Button>
            </InlineStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
