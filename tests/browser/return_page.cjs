// Opens livesell's /pay/return page in Debian's chromium (headless, driven by playwright-core from
// npm; never a downloaded browser), checks what a buyer on a phone sees, saves a screenshot.
//   node return_page.cjs URL EXPECTED_HEADING pay|nopay SCREENSHOT.png
// Prints one JSON line; exits non-zero with the reason when the page is not as expected.
const { chromium } = require('playwright-core');

(async () => {
  const [url, heading, pay, png] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 740 }, deviceScaleFactor: 1 });
    const resp = await page.goto(url, { waitUntil: 'load' });
    const h1 = ((await page.textContent('h1')) || '').trim();
    const links = await page.locator('a.pay').count();
    const lang = await page.getAttribute('html', 'lang');
    const box = await page.locator('body').boundingBox();
    await page.screenshot({ path: png, fullPage: true });
    const problems = [];
    if (h1 !== heading) problems.push(`h1 is ${JSON.stringify(h1)}, expected ${JSON.stringify(heading)}`);
    if ((pay === 'pay') !== (links === 1)) problems.push(`${links} pay links, expected ${pay}`);
    if (box && box.width > 390) problems.push(`the page is ${box.width}px wide on a 390px phone`);
    console.log(JSON.stringify({ status: resp.status(), h1, lang, links, problems }));
    if (problems.length) process.exitCode = 1;
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e));
  process.exit(2);
});
