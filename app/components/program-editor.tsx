// Editing the program document on a page: local state, field errors from the shared zod schema
// (before sending, and as the server answers), the App Bridge save bar while it is dirty, and a
// toast once saved. The Program, Rewards and Tiers pages each edit their part of one document.
import { useFetcher } from "@remix-run/react";
import { SaveBar, useAppBridge } from "@shopify/app-bridge-react";
import { Banner, TextField } from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useState } from "react";
import { fieldErrors, ProgramDocument, type FieldError, type ProgramDocumentInput } from "~/domain/program-document";
import { sentence } from "~/domain/wording";

export type EditableProgram = ProgramDocumentInput & { currency?: string };

interface SaveAnswer {
  document?: EditableProgram;
  errors?: FieldError[];
  error?: string;
}

export function useProgramEditor(saved: EditableProgram, options: { saveBarId: string; savedMessage?: string }) {
  const [doc, setDoc] = useState(saved);
  const [base, setBase] = useState(saved);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const fetcher = useFetcher<SaveAnswer>();
  const shopify = useAppBridge();
  const dirty = useMemo(() => JSON.stringify(doc) !== JSON.stringify(base), [doc, base]);

  useEffect(() => {
    const answer = fetcher.data;
    if (!answer || fetcher.state !== "idle") return;
    if (answer.document) {
      setDoc(answer.document);
      setBase(answer.document);
      setErrors([]);
      shopify.toast.show(options.savedMessage ?? "Program saved");
    } else setErrors(answer.errors ?? []);
  }, [fetcher.data, fetcher.state]);

  const save = useCallback(
    (next: EditableProgram = doc) => {
      const { currency: _currency, ...document } = next;
      const checked = ProgramDocument.safeParse(document);
      if (!checked.success) return setErrors(fieldErrors(checked.error));
      setErrors([]);
      fetcher.submit(JSON.stringify(document), { method: "post", encType: "application/json" });
    },
    [doc, fetcher],
  );
  const discard = useCallback(() => {
    setDoc(base);
    setErrors([]);
  }, [base]);
  const errorAt = useCallback(
    (path: string) => {
      const message = errors.find((e) => e.path === path)?.message;
      return message === undefined ? undefined : sentence(message);
    },
    [errors],
  );
  const conflict = errors.some((e) => e.path === "version");
  const otherErrors = errors.filter((e) => e.path === "body" || e.path === "version");

  const saveBar = (
    <SaveBar id={options.saveBarId} open={dirty}>
      <button variant="primary" onClick={() => save()} disabled={fetcher.state !== "idle"}>
        Save
      </button>
      <button onClick={discard}>Discard</button>
    </SaveBar>
  );
  const banner =
    otherErrors.length > 0 ? (
      <Banner tone="critical" title={conflict ? "Someone else saved the program meanwhile" : "The program was not saved"}>
        <p>{otherErrors.map((e) => sentence(e.message)).join(" ")}</p>
      </Banner>
    ) : null;
  return { doc, setDoc, base, dirty, save, discard, errors, errorAt, saveBar, banner, saving: fetcher.state !== "idle" };
}

/** Minor units ↔ the decimal a merchant types (2 decimals; the shop's currency). */
export const toMoney = (minor: number | null | undefined) =>
  minor === null || minor === undefined ? "" : (minor / 100).toFixed(2);
export function fromMoney(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}
/** A whole number field: "" → null, else a number (NaN when it is not one, which zod refuses). */
export const intOf = (text: string) => (text.trim() === "" ? null : /^-?\d+$/.test(text.trim()) ? Number(text) : NaN);

/**
 * A list of tags typed comma-separated. The text stays as typed (a trailing comma, spaces) while
 * the list it says goes to the document; the text follows the list when it changes from outside
 * (discard, a save's answer).
 */
export function TagListField(props: {
  label: string;
  tags: readonly string[];
  onChange: (tags: string[]) => void;
  helpText?: string;
  error?: string;
}) {
  const joined = props.tags.join(", ");
  const [text, setText] = useState(joined);
  const split = (t: string) =>
    t
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  useEffect(() => {
    if (split(text).join(", ") !== joined) setText(joined);
  }, [joined]);
  return (
    <TextField
      label={props.label}
      autoComplete="off"
      value={text}
      onChange={(value) => {
        setText(value);
        props.onChange(split(value));
      }}
      helpText={props.helpText}
      error={props.error}
    />
  );
}
