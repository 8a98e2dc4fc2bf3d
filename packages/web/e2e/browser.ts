import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium; never downloaded by Playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** A headless Chromium that only talks to loopback servers. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Sends a message from the composer, as a person would: type, wait until Send is enabled
 * (the session is ready and no reply streams), then Enter. Fails with the composer's own
 * error when the send is refused.
 */
export async function sendFromComposer(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await page.locator('form.composer button[type="submit"]:not([disabled])').waitFor();
  await box.press("Enter");
  const error = page.locator(".composer-error[role=alert]");
  await page.waitForFunction(
    () =>
      (document.querySelector("textarea") as HTMLTextAreaElement).value === "" ||
      document.querySelector(".composer-error[role=alert]") !== null,
  );
  if (await error.count()) throw new Error(`the composer refused the send: ${await error.textContent()}`);
}

/** The thread id in the page's address (`/t/<id>`), once there is one. */
export async function threadIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
  return new URL(page.url()).pathname.split("/").at(-1) as string;
}

/** Texts of the assistant messages on screen. */
export function assistantTexts(page: Page): Promise<string[]> {
  return page.locator('.message[data-role="assistant"] .markdown').allTextContents();
}

/** Makes the page believe it is hidden or shown, as switching tabs does, and tells it so. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((isHidden) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (isHidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => isHidden });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/**
 * Records, in every page of `context`, each change of a message's applied delta seq (the
 * `data-seq` the store's reducer moves), as `[messageId, from, to]`: one step at a time
 * means no delta was missed or applied twice. Read it with {@link seqSteps}.
 */
export async function recordSeqSteps(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const steps: [string, string | null, string | null][] = [];
    (window as unknown as { __seqSteps: typeof steps }).__seqSteps = steps;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        steps.push([el.getAttribute("data-message-id") ?? "", r.oldValue, el.getAttribute("data-seq")]);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-seq"], attributeOldValue: true });
  });
}

/** What {@link recordSeqSteps} saw in `page` for one message: each `[from, to]` step of its seq. */
export async function seqSteps(page: Page, messageId: string): Promise<[number, number][]> {
  const all = await page.evaluate(() => (window as unknown as { __seqSteps: [string, string | null, string | null][] }).__seqSteps);
  return all.filter(([id, from, to]) => id === messageId && from !== null && to !== null).map(([, from, to]) => [Number(from), Number(to)]);
}

/** True when the page is no wider than its window: nothing scrolls sideways. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** How far each element matching `selector` reaches to the right, against the window's width. */
export function rightEdges(page: Page, selector: string): Promise<{ right: number; width: number }[]> {
  return page.evaluate(
    (sel) => [...document.querySelectorAll(sel)].map((el) => ({ right: el.getBoundingClientRect().right, width: window.innerWidth })),
    selector,
  );
}
