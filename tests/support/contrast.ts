// WCAG AA contrast of every element with its own text: its colour against the first opaque
// background behind it (`behind` where none is, e.g. a frame showing its host page through).
// Runs in the page: pass it to `page.evaluate` / `frame.evaluate`.
export function contrastFailures({ selector, behind }: { selector: string; behind: number[] }): string[] {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]: number[]) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
  };
  const background = (el: Element | null): number[] => {
    for (; el; el = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null)) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return behind;
  };
  const out: string[] = [];
  const elements = [...document.querySelectorAll(selector)].flatMap((el) => [
    el,
    ...(el.shadowRoot?.querySelectorAll("*") ?? []),
  ]);
  for (const el of elements) {
    const own =
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()) ||
      [...(el.shadowRoot?.querySelectorAll("slot") ?? [])].length > 0;
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName} "${(el.textContent ?? "").trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
  }
  return out;
}
