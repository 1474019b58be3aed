// The upload page of examples/download_service, and the page `sigv4 presign-post --format html`
// prints, in a real browser: Debian's Chromium, headless, driven by playwright-core, posting
// straight to the RGW fixture. Run by browser_test.sh, which installs Chromium and
// playwright-core, creates the bucket, starts the service and writes the CLI's page; the
// settings come from its environment (BROWSER_TEST_*, SIGV4_RGW_*).
//
// What the browser does is judged on the server: every stored object is read back with a
// request that curl signs (--aws-sigv4), never by this project's code, and every refusal is
// checked in the bucket (RGW sends no CORS headers on a 403, and a form post is a navigation,
// so the page cannot read why it was refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

function setting(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run this test through tests/browser/browser_test.sh)`);
  return v;
}

const service = setting('BROWSER_TEST_SERVICE_URL'); // http://127.0.0.1:PORT
const bucket = setting('BROWSER_TEST_BUCKET');
const token = setting('BROWSER_TEST_TOKEN'); // granted job 101, not job 303
const maxBytes = Number(setting('BROWSER_TEST_MAX_BYTES'));
const endpoint = setting('SIGV4_RGW_ENDPOINT').replace(/\/$/, '');
const region = process.env.SIGV4_RGW_REGION || 'us-east-1';
const accessKey = setting('SIGV4_RGW_ACCESS_KEY');
const secretKey = setting('SIGV4_RGW_SECRET_KEY');
const chromiumPath = process.env.BROWSER_TEST_CHROMIUM || '/usr/bin/chromium';
const htmlForm = setting('BROWSER_TEST_HTML_FORM'); // sigv4 presign-post --format html, for cli-html/

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// A GET of s3://bucket/key signed by curl: { status, body (Buffer), contentType }.
function signedGet(key) {
  const dir = mkdtempSync(join(tmpdir(), 'sigv4-browser-get-'));
  try {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const out = execFileSync('curl', [
      '-s', '-m', '20', '--aws-sigv4', `aws:amz:${region}:s3`, '--user', `${accessKey}:${secretKey}`,
      '-H', `x-amz-content-sha256: ${EMPTY_SHA256}`, '-o', join(dir, 'body'),
      '-w', '%{http_code} %{content_type}', `${endpoint}/${bucket}/${path}`,
    ]).toString();
    const [status, contentType = ''] = out.split(' ');
    const body = Number(status) === 200 ? readFileSync(join(dir, 'body')) : Buffer.alloc(0);
    return { status: Number(status), body, contentType };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The keys under a prefix (ListObjectsV2, signed by curl).
function listKeys(prefix) {
  const xml = execFileSync('curl', [
    '-s', '-m', '20', '--aws-sigv4', `aws:amz:${region}:s3`, '--user', `${accessKey}:${secretKey}`,
    '-H', `x-amz-content-sha256: ${EMPTY_SHA256}`,
    `${endpoint}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`,
  ]).toString();
  assert.match(xml, /<ListBucketResult/, `ListObjectsV2 answered: ${xml.slice(0, 300)}`);
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
}

let context;
let userDataDir;

before(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'sigv4-chromium-'));
  // A fresh profile; Playwright adds --headless itself for headless: true, it is repeated here so
  // that the command line says what runs.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
});

after(async () => {
  if (context) await context.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

// Opens the upload page and fills it in. `requests` collects every request the page makes.
// `submitted` receives the [name, value] pairs of every form the page submits.
async function openUploadPage(job, file) {
  const page = await context.newPage();
  const submitted = [];
  await page.exposeFunction('sigv4TestRecordForm', (pairs) => submitted.push(pairs));
  await page.addInitScript(() => {
    const submit = HTMLFormElement.prototype.submit;
    HTMLFormElement.prototype.submit = function () {
      const pairs = [...new FormData(this)].map(([n, v]) => [n, typeof v === 'string' ? v : `file ${v.name} ${v.size}`]);
      window.sigv4TestRecordForm(pairs);
      return submit.call(this);
    };
  });
  const requests = [];
  page.on('request', (r) => requests.push(r));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const response = await page.goto(`${service}/upload`);
  assert.equal(response.status(), 200);
  await page.fill('#token', token);
  await page.fill('#job', job);
  await page.setInputFiles('#file', file);
  return { page, requests, errors, submitted };
}

test('a signed-in user uploads a file for job 101: stored in RGW, shown on the service page', async () => {
  const bytes = randomBytes(40000);
  const name = 'field map <i>101</i>+a.tif'; // the stored name is untrusted text on the page
  const key = `uploads/job-101/${name}`;
  assert.equal(signedGet(key).status, 404, 'the object exists before the upload');

  const { page, requests, errors, submitted } = await openUploadPage('101', { name, mimeType: 'image/tiff', buffer: bytes });
  await Promise.all([page.waitForURL(`${service}/upload/done?**`, { timeout: 20000 }), page.click('#send')]);

  // The page of the service shows what RGW's redirect said.
  assert.equal(await page.textContent('#key'), key);
  assert.equal(await page.locator('#key i').count(), 0, 'the key was put into the page as HTML');
  assert.equal(await page.textContent('#bucket'), bucket);
  const md5 = createHash('md5').update(bytes).digest('hex');
  assert.equal(await page.textContent('#etag'), `"${md5}"`);
  assert.deepEqual(errors, []);

  // The browser asked the service for a form, posted the file to RGW itself, and was sent back.
  const api = requests.find((r) => r.url() === `${service}/api/v1/uploads/101/form`);
  assert.ok(api, 'no request for the form');
  assert.equal(api.method(), 'POST');
  const post = requests.find((r) => r.method() === 'POST' && r.url() === `${endpoint}/${bucket}`);
  assert.ok(post, `no form post to ${endpoint}/${bucket}: ${requests.map((r) => r.method() + ' ' + r.url()).join(', ')}`);
  assert.equal((await post.response()).status(), 303);
  assert.match(post.headers()['content-type'], /^multipart\/form-data; boundary=/);
  // What the form sent (Chromium does not show a body with a file part to Playwright, so the
  // page's submit() is watched): the policy's fields, the file last, and not the bearer token,
  // which stays with the service (nor is it in a header).
  assert.equal(submitted.length, 1);
  assert.deepEqual(submitted[0].map(([n]) => n), [
    'key', 'policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature',
    'success_action_redirect', 'Content-Type', 'file',
  ]);
  assert.ok(!JSON.stringify(submitted[0]).includes(token), 'the token was posted to the object store');
  assert.ok(!JSON.stringify(post.headers()).includes(token), 'the token was sent to the object store');
  const fields = Object.fromEntries(submitted[0]);
  assert.equal(fields.key, 'uploads/job-101/${filename}');
  assert.equal(fields.success_action_redirect, `${service}/upload/done`);
  assert.equal(fields['Content-Type'], 'image/tiff');
  assert.equal(fields.file, `file ${name} ${bytes.length}`);

  // What RGW stored: the same bytes and the browser's Content-Type.
  const got = signedGet(key);
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(bytes), 'RGW holds other bytes than the browser sent');
  assert.equal(got.contentType, 'image/tiff');
  await page.close();
});

test('a file one byte over the size range is refused by RGW: nothing stored, no redirect', async () => {
  const name = 'too big.bin';
  const { page } = await openUploadPage('101', {
    name, mimeType: 'application/octet-stream', buffer: randomBytes(maxBytes + 1),
  });
  // Whether the browser sees RGW's 400 EntityTooLarge or a reset connection depends on how much of
  // the body RGW reads before it answers; either way the request ends, and the bucket decides.
  const isPost = (r) => r.method() === 'POST' && r.url() === `${endpoint}/${bucket}`;
  const ended = new Promise((resolve) => {
    page.on('requestfinished', async (r) => { if (isPost(r)) resolve(`answered ${(await r.response())?.status()}`); });
    page.on('requestfailed', (r) => { if (isPost(r)) resolve(`failed: ${r.failure()?.errorText}`); });
  });
  await page.click('#send');
  const outcome = await ended;
  console.log(`the over-size post ${outcome}`);
  assert.deepEqual(listKeys('uploads/job-101/too'), []);
  assert.ok(!page.url().startsWith(`${service}/upload/done`), `sent to ${page.url()}`);
  await page.close();
});

test('a token not granted the job gets no form, and nothing reaches RGW', async () => {
  const name = 'not mine.txt';
  const { page, requests } = await openUploadPage('303', { name, mimeType: 'text/plain', buffer: Buffer.from('x') });
  await page.click('#send');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Refused'));
  assert.match(await page.textContent('#status'), /^Refused \(403\)/);
  assert.ok(!requests.some((r) => r.url().startsWith(endpoint)), 'the page talked to the object store');
  assert.deepEqual(listKeys('uploads/job-303/'), []);
  await page.close();
});

// The page that `sigv4 presign-post --format html` prints, opened from a file: the user types the
// Content-Type (the policy wants image/...) and picks the file; RGW answers 201 (PostResponse).
async function postCliForm(contentType, file) {
  const page = await context.newPage();
  await page.goto(pathToFileURL(htmlForm).href);
  await page.fill('input[name="Content-Type"]', contentType);
  await page.setInputFiles('input[type="file"]', file);
  const isPost = (r) => r.method() === 'POST' && r.url() === `${endpoint}/${bucket}`;
  const ended = new Promise((resolve) => {
    page.on('requestfinished', async (r) => { if (isPost(r)) resolve(`answered ${(await r.response())?.status()}`); });
    page.on('requestfailed', (r) => { if (isPost(r)) resolve(`failed: ${r.failure()?.errorText}`); });
  });
  await page.click('input[type="submit"]');
  const outcome = await ended;
  await page.close();
  return outcome;
}

test('the page of sigv4 presign-post --format html uploads from Chromium; a Content-Type outside the prefix is refused', async () => {
  const bytes = randomBytes(5000);
  const name = 'photo 1.png';
  const refused = await postCliForm('text/plain', { name: 'wrong type.png', mimeType: 'image/png', buffer: bytes });
  console.log(`the text/plain post ${refused}`);
  assert.deepEqual(listKeys('cli-html/wrong'), []);

  const outcome = await postCliForm('image/png', { name, mimeType: 'image/png', buffer: bytes });
  assert.equal(outcome, 'answered 201');
  const got = signedGet(`cli-html/${name}`);
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(bytes), 'RGW holds other bytes than the browser sent');
  assert.equal(got.contentType, 'image/png');
});
