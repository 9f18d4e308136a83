// The reward and tier forms' texts per storefront language: a language to edit (the storefront's
// own en, de and fa, those the item already has, and any the merchant adds by its code, checked by
// the document's LocaleCode schema), and the fields for that language below it.
import { BlockStack, Button, Select, Text, TextField } from "@shopify/polaris";
import { useMemo, useState, type ReactNode } from "react";
import { LocaleCode, type ProgramDocumentInput } from "~/domain/program-document";
import { LOCALES } from "~/domain/storefront-text";
import { sentence } from "~/domain/wording";

type TranslationsInput = NonNullable<ProgramDocumentInput["rewards"][number]["translations"]>;

const names = new Intl.DisplayNames(["en"], { type: "language" });
/** "German (de)": the language's English name, then its code. */
export function languageName(code: string): string {
  let name = code;
  try {
    name = names.of(code) ?? code;
  } catch {
    // not a code Intl knows: the code alone
  }
  return name === code ? code : `${name} (${code})`;
}

/**
 * The text for one language set, or cleared: a translation with neither name nor description is
 * removed (one with a description and no name stays, and the schema asks for its name).
 */
export function withTranslation(
  translations: TranslationsInput | undefined,
  locale: string,
  patch: { name?: string; description?: string },
): TranslationsInput {
  const { [locale]: current, ...others } = translations ?? {};
  const next = { name: current?.name ?? "", description: current?.description, ...patch };
  if (!next.name.trim() && !next.description?.trim()) return others;
  return { ...others, [locale]: next.description?.trim() ? next : { name: next.name } };
}

export function StorefrontLanguages(props: {
  /** the languages the item already has texts in */
  present: readonly string[];
  language: string;
  onLanguage: (language: string) => void;
  /** whether a language has texts, to mark it in the list */
  translated: (language: string) => boolean;
  children: ReactNode;
}) {
  const [added, setAdded] = useState<string[]>([]);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const languages = useMemo(() => [...new Set([...LOCALES, ...props.present, ...added])], [props.present, added]);
  const add = () => {
    const checked = LocaleCode.safeParse(code.trim());
    if (!checked.success) return setError(sentence(checked.error.issues[0]!.message));
    setError(undefined);
    setAdded((a) => (a.includes(checked.data) ? a : [...a, checked.data]));
    props.onLanguage(checked.data);
    setCode("");
  };
  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingSm">
        In each storefront language
      </Text>
      <Select
        label="Language"
        options={languages.map((l) => ({
          label: `${languageName(l)}${props.translated(l) ? " · translated" : ""}`,
          value: l,
        }))}
        value={props.language}
        onChange={props.onLanguage}
        helpText="Shoppers see these texts in their language; without one, the name above."
      />
      {props.children}
      {/* Enter adds the language (it would otherwise submit the whole form). */}
      <div
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          e.preventDefault();
          add();
        }}
      >
        <TextField
          label="Add a language"
          placeholder="e.g. fr or pt-BR"
          autoComplete="off"
          value={code}
          onChange={(v) => {
            setCode(v);
            setError(undefined);
          }}
          error={error}
          connectedRight={<Button onClick={add}>Add</Button>}
        />
      </div>
    </BlockStack>
  );
}

/** The name and description of a reward or tier in one language, errors at `<at>translations.<language>.…`. */
export function TranslatedName(props: {
  translations: TranslationsInput | undefined;
  language: string;
  onChange: (translations: TranslationsInput) => void;
  errorAt: (field: string) => string | undefined;
}) {
  const { translations, language } = props;
  return (
    <>
      <TextField
        label={`Name in ${languageName(language)}`}
        autoComplete="off"
        value={translations?.[language]?.name ?? ""}
        onChange={(name) => props.onChange(withTranslation(translations, language, { name }))}
        error={props.errorAt(`translations.${language}.name`)}
      />
      <TextField
        label={`Description in ${languageName(language)} (optional)`}
        autoComplete="off"
        multiline={2}
        value={translations?.[language]?.description ?? ""}
        onChange={(description) => props.onChange(withTranslation(translations, language, { description }))}
        error={props.errorAt(`translations.${language}.description`)}
      />
    </>
  );
}
